#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/reporter.h"
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

// The line sync, update and rollback print for one app (failures go to stderr);
// `config` names the apps.toml a removed app is no longer in.
void print_outcome(const AppOutcome& o, const std::string& config = "") {
  using Kind = AppOutcome::Kind;
  switch (o.kind) {
    case Kind::UpToDate:
      fmt::print("{} {}: up to date ({})\n", o.id, o.version, o.reference);
      break;
    case Kind::Installed:
      fmt::print("{}: installed {} ({})\n", o.id, o.version, o.reference);
      break;
    case Kind::Updated:
      fmt::print("{}: updated {} -> {} ({})\n", o.id, o.previous_version, o.version, o.reference);
      break;
    case Kind::RolledBack:
      fmt::print("{}: rolled back {} -> {}{}\n", o.id, o.previous_version.empty() ? "?" : o.previous_version, o.version,
                 o.reference.empty() ? "" : fmt::format(" ({})", o.reference));
      break;
    case Kind::Removed:
      fmt::print("{}: removed (no longer in {})\n", o.id, config);
      break;
    case Kind::Failed:
      // One line per app that failed, naming it once.
      std::fprintf(stderr, "appv: %s%s\n", o.error.find(o.reference) == std::string::npos ? (o.reference + ": ").c_str() : "",
                   o.error.c_str());
      break;
  }
}

}  // namespace

int cmd_install(const std::string& package, bool system) {
  InstalledApp app = install_package(package, roots(system), self_exe(), stderr_reporter());
  fmt::print("installed {} {} as {}\n", app.id, app.version, app.package);
  for (const std::string& d : app.desktop_files) fmt::print("  menu entry: {}\n", d);
  return 0;
}

int cmd_uninstall(const std::string& id, bool system) {
  uninstall_package(id, roots(system), stderr_reporter());
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
  int failed = 0;
  int status = sync_apps(apps, options_for(apps, oci_options(args)), roots(system), self_exe(), [&](const AppOutcome& o) {
    print_outcome(o, apps.origin);
    if (o.kind == AppOutcome::Kind::Failed) ++failed;
    // Each app's line as soon as it is done, for a log read while sync runs.
    std::fflush(stdout);
  });
  if (failed > 1) std::fprintf(stderr, "appv: %d apps failed; nothing was removed\n", failed);
  return status;
}

int cmd_update(const std::string& id, bool system, const RegistryArgs& args) {
  print_outcome(update_app(id, oci_options(args), roots(system), self_exe()));
  return 0;
}

int cmd_rollback(const std::string& id, bool system) {
  print_outcome(rollback_app(id, roots(system), self_exe(), stderr_reporter()));
  return 0;
}

}  // namespace appv::cli
