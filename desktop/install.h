// Desktop integration: `appv install`, `appv uninstall`, `appv list`. No daemon: files
// in the XDG data directories, and a record of each file appv added so uninstalling
// removes exactly those.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/reporter.h"
#include "desktop/exported_commands.h"

namespace appv {

// Where installed packages and their desktop files go.
struct InstallRoots {
  std::string data;     // applications/, icons/, mime/ live here
  std::string appv;     // packages/ and installed/ live here
  std::string bin;      // exported commands; "" where there is none
  static InstallRoots for_user();    // $XDG_DATA_HOME (~/.local/share), .../appv, $HOME/.local/bin
  static InstallRoots for_system();  // /usr/local/share, /var/lib/appv, /usr/local/bin
};

struct InstalledApp {
  std::string id, version, package;
  std::vector<std::string> desktop_files;
  std::string origin, digest;   // the OCI reference and manifest digest sync installed it from; empty: a file
  std::string previous_version;  // what `appv rollback` returns to; empty: nothing
  std::vector<std::string> commands;  // exported commands: links in InstallRoots::bin
};

// The commands `appv install` exports (desktop/exported_commands.h).
struct CommandRequest {
  std::vector<std::string> names;  // entry point names (--command NAME)
  bool all = false;                // every entry point (--commands)
  CommandOverrides overrides;      // --shadow, --force
  std::string path_env;            // the PATH whose commands must not be shadowed
};

// Where an installed package came from, for `appv sync` and `appv update`.
struct InstallOrigin {
  std::string reference;  // REGISTRY/REPOSITORY:TAG or @DIGEST
  std::string digest;     // the manifest digest it resolved to
};

// Copies the package into <appv>/packages/<id>.appv, writes a desktop entry per entry point (when the manifest has
// [desktop]), installs the icon, registers MIME types and the application/x-appv
// type, and refreshes the MIME and desktop databases (a missing database tool is a
// warning to `reporter`). `appv_exe` is the appv binary used to open .appv files. An installed version of the same id is replaced and kept
// as <appv>/packages/<id>.previous.appv for rollback_package (one previous version;
// the user's sandbox belongs to the app id and is never touched).
// `commands` are exported as links <bin>/NAME -> the installed package: each must be
// an entry point (else Exit::Usage) and the package self-executing (else Exit::Usage);
// a name on PATH elsewhere or a file at <bin>/NAME that is not this app's link is
// refused (Exit::CantCreate) unless overridden. The commands an earlier install of the
// id exported are kept (those still entry points, where nothing else took their place).
// A refused install changes nothing.
InstalledApp install_package(const std::string& package_path, const InstallRoots& roots, const std::string& appv_exe,
                             Reporter& reporter, const InstallOrigin& origin = {}, const CommandRequest& commands = {});

// Installs the previous version of `id` again; the current one becomes the previous,
// so a second rollback returns to it. Exit::Usage if there is no previous version.
InstalledApp rollback_package(const std::string& id, const InstallRoots& roots, const std::string& appv_exe,
                              Reporter& reporter);

// Removes every file install_package added for `id` (its exported commands too, those
// still links to its package), and the directories and database caches it created,
// leaving the user's directories as they were.
void uninstall_package(const std::string& id, const InstallRoots& roots, Reporter& reporter);

std::vector<InstalledApp> list_installed(const InstallRoots& roots);
// The installed app `id`, or nullopt.
std::optional<InstalledApp> find_installed(const std::string& id, const InstallRoots& roots);

}  // namespace appv
