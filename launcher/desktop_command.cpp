#include <unistd.h>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "distribution/deploy.h"
#include "desktop/install.h"
#include "base/error.h"

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
    fmt::print("{}\t{}\t{}{}{}\n", app.id, app.version, app.package, app.origin.empty() ? "" : "\tfrom " + app.origin,
               app.previous_version.empty() ? "" : "\tprevious " + app.previous_version);
  }
  return 0;
}

int cmd_sync(const std::string& config, bool system, const RegistryArgs& args) {
  AppsConfig apps = load_apps_config(config);
  return sync_apps(apps, options_for(apps, oci_options(args)), roots(system), self_exe());
}

int cmd_update(const std::string& id, bool system, const RegistryArgs& args) {
  return update_app(id, oci_options(args), roots(system), self_exe());
}

int cmd_rollback(const std::string& id, bool system) { return rollback_app(id, roots(system), self_exe()); }

}  // namespace appv::cli
