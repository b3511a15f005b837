// `appv install`, `uninstall` and `list` (`sync`, `update` and `rollback`, which also
// install, are the distribution module's: deploy_command.cpp).
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/app_ids.h"
#include "launcher/command_line.h"
#include "launcher/format.h"
#include "launcher/install_roots.h"
#include "launcher/json_output.h"
#include "launcher/reporter.h"
#include "desktop/install.h"
#include "manifests/permissions.h"
#include "vfs/package.h"
#include "base/error.h"
#include "base/text.h"

namespace appv::cli {

int cmd_install(const std::string& package, bool system) {
  // What the package asks of the host, shown before it is installed (manifests/permissions.h).
  const Manifest asked = Package::open(package).manifest();
  std::string granted;
  for (const PermissionDecision& d : resolve_permissions(asked.permissions, asked.id, {}).decisions) {
    if (d.granted) granted += fmt::format("{}{}{}", granted.empty() ? "" : ", ", d.name, d.detail.empty() ? "" : " (" + d.detail + ")");
  }
  say("{} asks for: {}\n", asked.id, granted.empty() ? "nothing beyond its view" : granted);
  InstalledApp app = install_package(package, install_roots(system), self_exe(), stderr_reporter());
  say("installed {} {} as {}\n", printable(app.id), printable(app.version), printable(app.package));
  for (const std::string& d : app.desktop_files) say("  menu entry: {}\n", printable(d));
  return 0;
}

int cmd_uninstall(const std::string& id, bool system) {
  return suggesting_app_id(id, [system] { return installed_app_ids(system); }, [&] {
    uninstall_package(id, install_roots(system), stderr_reporter());
    say("uninstalled {} (its sandbox is kept)\n", id);
    return 0;
  });
}

int cmd_list(bool system, bool json) {
  if (json) {
    print_json(list_json(list_installed(install_roots(system))));
    return 0;
  }
  const std::vector<InstalledApp> apps = list_installed(install_roots(system));
  if (apps.empty()) {
    fmt::print("no apps installed{}\n", system ? " for every user" : "");
    return 0;
  }
  // For people: aligned columns under a header (scripts use --json). FROM and
  // PREVIOUS are sync's: the reference an app came from, the version rollback returns to.
  std::vector<std::vector<std::string>> rows{{"APP", "VERSION", "PACKAGE", "FROM", "PREVIOUS"}};
  for (const InstalledApp& app : apps) {
    rows.push_back({printable(app.id), printable(app.version), printable(app.package),
                    app.origin.empty() ? "-" : printable(app.origin),
                    app.previous_version.empty() ? "-" : printable(app.previous_version)});
  }
  fmt::print("{}", format_table(rows));
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
  add_quiet_flag(*install);
  out.add(install, [args] { return cmd_install(args->package, args->system); });
  CLI::App* uninstall = app.add_subcommand("uninstall", "Remove an installed package and every file install added");
  uninstall->add_option("app", args->app_id, "App id (see appv list)")->required();
  uninstall->add_flag("--system", args->system, "The system-wide installation");
  add_quiet_flag(*uninstall);
  out.add(uninstall, [args] { return cmd_uninstall(args->app_id, args->system); });
  CLI::App* list = app.add_subcommand("list", "List installed packages");
  list->add_flag("--system", args->system, "The system-wide installation");
  list->add_flag("--json", args->json, "Print a JSON array (see README: Output for scripts)");
  out.add(list, [args] { return cmd_list(args->system, args->json); });
}

}  // namespace appv::cli
