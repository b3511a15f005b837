// Desktop integration: `appv install`, `appv uninstall`, `appv list`. No daemon: files
// in the XDG data directories, and a record of each file appv added so uninstalling
// removes exactly those.
#pragma once

#include <string>
#include <vector>

namespace appv {

// Where installed packages and their desktop files go.
struct InstallRoots {
  std::string data;     // applications/, icons/, mime/ live here
  std::string appv;     // packages/ and installed/ live here
  static InstallRoots for_user();    // $XDG_DATA_HOME (~/.local/share), .../appv
  static InstallRoots for_system();  // /usr/local/share, /var/lib/appv
};

struct InstalledApp {
  std::string id, version, package;
  std::vector<std::string> desktop_files;
};

// Copies the package into <appv>/packages/<id>.appv (replacing an older version of
// the same id), writes a desktop entry per entry point (when the manifest has
// [desktop]), installs the icon, registers MIME types and the application/x-appv
// type, and refreshes the MIME and desktop databases. `appv_exe` is the appv binary
// used to open .appv files. Returns the desktop files written.
InstalledApp install_package(const std::string& package_path, const InstallRoots& roots, const std::string& appv_exe);

// Removes every file install_package added for `id`, and the directories and
// database caches it created, leaving the user's directories as they were.
void uninstall_package(const std::string& id, const InstallRoots& roots);

std::vector<InstalledApp> list_installed(const InstallRoots& roots);

}  // namespace appv
