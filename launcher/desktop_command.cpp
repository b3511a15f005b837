#include <unistd.h>

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/command_line.h"
#include "launcher/format.h"
#include "launcher/json_output.h"
#include "launcher/reporter.h"
#include "distribution/deploy.h"
#include "desktop/install.h"
#include "vfs/package.h"
#include "base/error.h"
#include "base/text.h"

namespace appv::cli {
namespace {

InstallRoots roots(bool system) {
  if (!system) return InstallRoots::for_user();
  if (::geteuid() != 0) throw Error(Exit::Usage, "--system installs for every user and needs root");
  return InstallRoots::for_system();
}

// The line sync, update and rollback print for one app (failures go to stderr);
// `config` names the apps.toml a removed app is no longer in. Versions and messages
// come from packages and registries: printed escaped.
void print_outcome(const AppOutcome& raw, const std::string& config = "") {
  using Kind = AppOutcome::Kind;
  AppOutcome o = raw;
  for (std::string* s : {&o.id, &o.version, &o.previous_version, &o.reference}) *s = printable(*s);
  o.error = printable_message(o.error);
  // A dry run says what would be done, in the same shape.
  const char* would = o.planned ? "would be " : "";
  switch (o.kind) {
    case Kind::UpToDate:
      fmt::print("{} {}: up to date ({})\n", o.id, o.version, o.reference);
      break;
    case Kind::Installed:
      fmt::print("{}: {}installed {} ({})\n", o.id, would, o.version, o.reference);
      break;
    case Kind::Updated:
      fmt::print("{}: {}updated {} -> {} ({})\n", o.id, would, o.previous_version, o.version, o.reference);
      break;
    case Kind::Downgraded:
      fmt::print("{}: {}downgraded {} -> {} ({})\n", o.id, would, o.previous_version, o.version, o.reference);
      break;
    case Kind::RolledBack:
      fmt::print("{}: rolled back {} -> {}{}\n", o.id, o.previous_version.empty() ? "?" : o.previous_version, o.version,
                 o.reference.empty() ? "" : fmt::format(" ({})", o.reference));
      break;
    case Kind::Removed:
      fmt::print("{}: {}removed (no longer in {})\n", o.id, would, config);
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
  // What the package asks of the host, shown before it is installed (manifests/permissions.h).
  const Manifest asked = Package::open(package).manifest();
  std::string granted;
  for (const PermissionDecision& d : resolve_permissions(asked.permissions, asked.id, {}).decisions) {
    if (d.granted) granted += fmt::format("{}{}{}", granted.empty() ? "" : ", ", d.name, d.detail.empty() ? "" : " (" + d.detail + ")");
  }
  fmt::print("{} asks for: {}\n", asked.id, granted.empty() ? "nothing beyond its view" : granted);
  InstalledApp app = install_package(package, roots(system), self_exe(), stderr_reporter());
  fmt::print("installed {} {} as {}\n", printable(app.id), printable(app.version), printable(app.package));
  for (const std::string& d : app.desktop_files) fmt::print("  menu entry: {}\n", printable(d));
  return 0;
}

int cmd_uninstall(const std::string& id, bool system) {
  uninstall_package(id, roots(system), stderr_reporter());
  fmt::print("uninstalled {} (its sandbox is kept)\n", id);
  return 0;
}

int cmd_list(bool system, bool json) {
  if (json) {
    print_json(list_json(list_installed(roots(system))));
    return 0;
  }
  for (const InstalledApp& app : list_installed(roots(system))) {
    fmt::print("{}\t{}\t{}{}{}\n", printable(app.id), printable(app.version), printable(app.package),
               app.origin.empty() ? "" : "\tfrom " + printable(app.origin),
               app.previous_version.empty() ? "" : "\tprevious " + printable(app.previous_version));
  }
  return 0;
}

int cmd_sync(const std::string& config, bool system, const SyncOptions& sync, const OciArgs& args) {
  AppsConfig apps = load_apps_config(config);
  int failed = 0;
  int status = sync_apps(apps, options_for(apps, oci_options(args)), roots(system), self_exe(), sync, [&](const AppOutcome& o) {
    print_outcome(o, apps.origin);
    if (o.kind == AppOutcome::Kind::Failed) ++failed;
    // Each app's line as soon as it is done, for a log read while sync runs.
    std::fflush(stdout);
  });
  if (failed > 1) std::fprintf(stderr, "appv: %d apps failed; nothing was removed\n", failed);
  return status;
}

int cmd_update(const std::string& id, bool system, const OciArgs& args) {
  print_outcome(update_app(id, oci_options(args), roots(system), self_exe()));
  return 0;
}

int cmd_rollback(const std::string& id, bool system) {
  print_outcome(rollback_app(id, roots(system), self_exe(), stderr_reporter()));
  return 0;
}

void add_install_commands(CLI::App& app, Commands& out) {
  struct InstallArgs {
    std::string package, app_id;
    bool system = false, json = false;
  };
  auto args = std::make_shared<InstallArgs>();
  CLI::App* install = app.add_subcommand("install", "Install a package with menu entries, icon and file associations");
  install->add_option("package", args->package, "Package file")->required()->type_name("FILE");
  install->add_flag("--system", args->system, "For every user (root only); default: for you");
  out.add(install, [args] { return cmd_install(args->package, args->system); });
  CLI::App* uninstall = app.add_subcommand("uninstall", "Remove an installed package and every file install added");
  uninstall->add_option("app", args->app_id, "App id (see appv list)")->required();
  uninstall->add_flag("--system", args->system, "The system-wide installation");
  out.add(uninstall, [args] { return cmd_uninstall(args->app_id, args->system); });
  CLI::App* list = app.add_subcommand("list", "List installed packages");
  list->add_flag("--system", args->system, "The system-wide installation");
  list->add_flag("--json", args->json, "Print a JSON array (see README: Output for scripts)");
  out.add(list, [args] { return cmd_list(args->system, args->json); });
}

void add_sync_commands(CLI::App& app, Commands& out) {
  struct SyncArgs {
    std::string apps_config = kDefaultAppsConfig;
    std::string app_id;
    bool system = false;
    SyncOptions sync;
    OciArgs oci;
  };
  auto args = std::make_shared<SyncArgs>();
  CLI::App* sync = app.add_subcommand("sync", "Install, update and remove apps to match an admin's list of OCI references");
  sync->add_option("-c,--config", args->apps_config, "The list: apps.toml with [[app]] ref = \"REGISTRY/REPO:TAG\"")->capture_default_str()->type_name("FILE");
  sync->add_flag("--system", args->system, "Install for every user (root only; what the appv-sync timer does)");
  sync->add_flag("--dry-run", args->sync.dry_run,
                 "Print what sync would install, update, downgrade and remove (reads manifests only); change nothing");
  sync->add_flag("--allow-mass-removal", args->sync.allow_mass_removal,
                 "Remove even when that is more than half of the apps sync manages, or all of them");
  add_oci_options(*sync, args->oci);
  sync->footer("Idempotent: an app whose reference still resolves to the installed digest is not fetched.\n"
               "Apps installed by hand are left alone; apps sync installed that the list no longer names\n"
               "are removed (not when another app failed, and not more than half of them, or all, without\n"
               "--allow-mass-removal: an emptied list is more often a mistake). Updates keep the user's\n"
               "sandbox and the replaced version, for appv rollback; a tag moved to an older version is\n"
               "reported as a downgrade.");
  out.add(sync, [args] { return cmd_sync(args->apps_config, args->system, args->sync, args->oci); });
  CLI::App* update = app.add_subcommand("update", "Update an app installed by sync from the reference it came from");
  update->add_option("app", args->app_id, "App id (see appv list)")->required();
  update->add_flag("--system", args->system, "The system-wide installation");
  add_oci_options(*update, args->oci);
  out.add(update, [args] { return cmd_update(args->app_id, args->system, args->oci); });
  CLI::App* rollback = app.add_subcommand("rollback", "Return an app to the version its last update or install replaced");
  rollback->add_option("app", args->app_id, "App id (see appv list)")->required();
  rollback->add_flag("--system", args->system, "The system-wide installation");
  out.add(rollback, [args] { return cmd_rollback(args->app_id, args->system); });
}

}  // namespace appv::cli
