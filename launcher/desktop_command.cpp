// `appv install`, `uninstall` and `list` (`sync`, `update` and `rollback`, which also
// install, are the distribution module's: deploy_command.cpp).
#include <unistd.h>

#include <cstdlib>
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
#include "vfs/payload.h"
#include "base/error.h"
#include "base/text.h"
#include "base/fs_util.h"
#include "base/human_bytes.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"

namespace appv::cli {

namespace {

// How to start what was installed: by id, by its commands, from the menu; and what
// stands in the way of the commands (their directory not on PATH).
void print_how_to_start(const InstalledApp& app, const InstallRoots& roots, const std::string& path_env) {
  say("start it with: appv run {}\n", printable(app.id));
  for (const std::string& link : app.commands) {
    say("  command: {} ({})\n", printable(link.substr(link.rfind('/') + 1)), printable(link));
  }
  for (const std::string& d : app.desktop_files) say("  menu entry: {}\n", printable(d));
  if (!app.commands.empty() && !dir_on_path(roots.bin, path_env)) {
    say("note: {} is not on your PATH: add it (PATH=\"{}:$PATH\" in your shell's profile) to type the commands "
               "by name\n", printable(roots.bin), printable(roots.bin));
  }
  if (app.commands.empty() && app.desktop_files.empty()) {
    say("to type it by name in a shell: appv install --commands PACKAGE (puts its entry points into {})\n",
               printable(roots.bin));
  }
}

}  // namespace

int cmd_install(const std::string& package, bool system, const CommandRequest& commands_in) {
  const InstallRoots roots = install_roots(system);  // refused first: root with a user's home
  // Checked whole first, as `appv verify` and `sync` do: a package that run would refuse
  // (a payload that differs from its header) is not installed only to never start.
  const Package source = Package::open(package);
  verify_package(source);
  // What the package asks of the host, shown before it is installed (manifests/permissions.h).
  const Manifest asked = source.manifest();
  std::string granted;
  for (const PermissionDecision& d : resolve_permissions(asked.permissions, asked.id, {}).decisions) {
    if (d.granted) granted += fmt::format("{}{}{}", granted.empty() ? "" : ", ", d.name, d.detail.empty() ? "" : " (" + d.detail + ")");
  }
  say("{} asks for: {}\n", asked.id, granted.empty() ? "nothing beyond its view" : granted);
  CommandRequest commands = commands_in;
  const char* path = std::getenv("PATH");
  commands.path_env = path ? path : "";
  // A --system command is on every user's PATH, not only root's: root's lacks
  // /usr/games, where a user's (login.defs ENV_PATH) has it.
  if (system) commands.path_env += ":/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";
  InstalledApp app = install_package(package, roots, self_exe(), stderr_reporter(), {}, commands);
  say("installed {} {} as {}\n", printable(app.id), printable(app.version), printable(app.package));
  print_how_to_start(app, roots, path ? path : "");
  return 0;
}

static int remove_installed(const std::string& id, bool system, bool delete_data);

int cmd_uninstall(const std::string& id, bool system, bool delete_data) {
  return suggesting_app_id(id, [system] { return installed_app_ids(system); },
                           [&] { return remove_installed(id, system, delete_data); });
}

static int remove_installed(const std::string& id, bool system, bool delete_data) {
  const InstallRoots roots = install_roots(system);
  if (!delete_data) {
    uninstall_package(id, roots, stderr_reporter());
    say("uninstalled {} (its sandbox is kept: appv sandbox rm {} deletes it)\n", id, id);
    return 0;
  }
  // The caller's own sandbox (with --system: root's); other users' are theirs to delete.
  const std::string sandbox = sandbox_dir(id);
  if (!path_exists(sandbox)) {
    uninstall_package(id, roots, stderr_reporter());
    say("uninstalled {} (it had no sandbox)\n", id);
    return 0;
  }
  // Taken first: a running app is refused before anything is removed.
  UniqueFd lock = lock_stopped_sandbox(sandbox, id, "delete its data");
  uninstall_package(id, roots, stderr_reporter());
  lock.reset();
  const uint64_t bytes = remove_stopped_sandbox(sandbox, id, "delete its data");
  // The user's appv data directory (<data>/appv, which held the sandboxes and, without
  // --system, the installation), if nothing else is left in it.
  ::rmdir(parent_dir(sandboxes_root()).c_str());
  say("uninstalled {} and deleted its sandbox ({} it had written)\n", id, human_bytes(bytes));
  return 0;
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
    bool system = false, json = false, delete_data = false;
    CommandRequest commands;
  };
  auto args = std::make_shared<InstallArgs>();
  CLI::App* install = app.add_subcommand("install", "Install a package with menu entries, icon and file associations");
  install->add_option("package", args->package, "Package file")->required()->type_name("FILE");
  install->add_flag("--system", args->system, "For every user (root only); default: for you");
  install->add_option("--command", args->commands.names,
                      "Put entry point NAME on PATH: a link NAME in ~/.local/bin (--system: /usr/local/bin) to the "
                      "installed package (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  install->add_flag("--commands", args->commands.all, "Put every entry point on PATH, as --command does");
  install->add_flag("--shadow", args->commands.overrides.shadow,
                    "Export a command although another directory on PATH has one of that name");
  install->add_flag("--force", args->commands.overrides.force,
                    "Replace a file in the commands' directory that is not this app's command");
  install->footer("A command whose name is on PATH already, or whose place holds a file appv did not make, is refused\n"
                  "(exit 73) unless --shadow or --force. Reinstalling keeps the commands exported before; uninstall\n"
                  "removes them.");
  add_quiet_flag(*install);
  out.add(install, [args] { return cmd_install(args->package, args->system, args->commands); });
  CLI::App* uninstall = app.add_subcommand("uninstall", "Remove an installed package and every file install added");
  uninstall->add_option("app", args->app_id, "App id (see appv list)")->required();
  uninstall->add_flag("--system", args->system, "The system-wide installation");
  uninstall->add_flag("--delete-data", args->delete_data,
                      "Also delete your sandbox of the app (what it wrote, its settings); refused while it runs");
  add_quiet_flag(*uninstall);
  out.add(uninstall, [args] { return cmd_uninstall(args->app_id, args->system, args->delete_data); });
  CLI::App* list = app.add_subcommand("list", "List installed packages");
  list->add_flag("--system", args->system, "The system-wide installation");
  list->add_flag("--json", args->json, "Print a JSON array (see README: Output for scripts)");
  out.add(list, [args] { return cmd_list(args->system, args->json); });
}

}  // namespace appv::cli
