#include <unistd.h>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/install.h"
#include "manifests/error.h"

namespace appv::cli {
namespace {

InstallRoots roots(bool system) {
  if (!system) return InstallRoots::for_user();
  if (::geteuid() != 0) throw Error(Exit::Usage, "--system installs for every user and needs root");
  return InstallRoots::for_system();
}

}  // namespace

int cmd_install(const std::string& package, bool system) {
  InstalledApp app = install_package(package, roots(system), self_exe());
  fmt::print("installed {} {} as {}\n", app.id, app.version, app.package);
  for (const std::string& d : app.desktop_files) fmt::print("  menu entry: {}\n", d);
  return 0;
}

int cmd_uninstall(const std::string& id, bool system) {
  uninstall_package(id, roots(system));
  fmt::print("uninstalled {} (its sandbox is kept)\n", id);
  return 0;
}

int cmd_list(bool system) {
  for (const InstalledApp& app : list_installed(roots(system))) {
    fmt::print("{}\t{}\t{}\n", app.id, app.version, app.package);
  }
  return 0;
}

}  // namespace appv::cli
