// `appv sandbox list|path|diff|reset|export|import`: an app's per-user state, seen
// and changed from outside the app.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/app_ids.h"
#include "launcher/command_line.h"
#include "launcher/format.h"
#include "launcher/json_output.h"
#include "launcher/reporter.h"
#include "vfs/sandbox_access.h"
#include "base/error.h"
#include "base/text.h"
#include "base/user_dirs.h"
#include "vfs/layout.h"
#include "manifests/tokens.h"
#include "redirect/instance.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_archive.h"
#include "vfs/work_dirs.h"

namespace appv::cli {
namespace {

std::string existing_sandbox(const std::string& app) {
  std::string dir = sandbox_dir(app);
  if (!path_exists(dir)) {
    throw Error(Exit::NoInput, fmt::format("{} has no sandbox (it has not run as this user): {}{}", app, dir,
                                           app_id_hint(app, sandbox_app_ids())));
  }
  return dir;
}

// The user's $XDG_CONFIG_HOME: what `reset --keep-config` keeps.
std::string config_home() {
  return require_xdg_dir(XdgDir::Config);
}

}  // namespace

int cmd_sandbox_list(bool json) {
  const std::string root = sandboxes_root();
  std::vector<SandboxRow> rows;
  for (const std::string& name : list_dir(root)) {
    if (name[0] == '.') continue;
    const std::string dir = root + "/" + name;
    SandboxRow row{name, std::nullopt, tree_bytes(layout::upper(dir)), std::nullopt};
    if (std::optional<SandboxState> state = read_state(dir)) row.version = state->version;
    if (std::optional<Instance> running = running_instance(dir)) {
      row.pid = running->pid;
      row.idle = running->idle;
    }
    rows.push_back(std::move(row));
  }
  if (json) {
    print_json(sandbox_list_json(rows));
    return 0;
  }
  if (rows.empty()) {
    fmt::print("no sandboxes in {}\n", root);
    return 0;
  }
  fmt::print("{:<32} {:<12} {:>10}  {}\n", "APP", "VERSION", "SIZE", "STATE");
  for (const SandboxRow& r : rows) {
    fmt::print("{:<32} {:<12} {:>10}  {}\n", r.app, r.version.value_or("?"), human_bytes(r.bytes),
               r.pid ? fmt::format("{} (pid {})", r.idle ? "idle" : "running", *r.pid) : "stopped");
  }
  return 0;
}

int cmd_sandbox_path(const std::string& app) {
  fmt::print("{}\n", existing_sandbox(app));
  return 0;
}

int cmd_sandbox_diff(const std::string& app) {
  const std::string dir = existing_sandbox(app);
  LowerLayers lower;
  if (std::optional<SandboxState> state = read_state(dir)) {
    const std::string root = layout::cache_root(cache_dir(), state->digest);
    if (!state->digest.empty() && path_exists(root)) lower.package_root = root;
    lower.full_prefixes = state->full_prefixes;
  }
  // Names the app chose: escaped, so a name cannot drive the terminal or fake a line.
  bool unreadable = false;
  for (const Change& c : sandbox_diff(dir, lower)) {
    fmt::print("{} {}\n", c.kind, printable(c.path));
    if (c.kind != '?') continue;
    unreadable = true;
    std::fflush(stdout);
    stderr_reporter().warning(fmt::format("cannot list {} in the sandbox: the app made it unreadable (chmod); what is below "
                                          "it is left out",
                                          printable(c.path)));
  }
  return unreadable ? static_cast<int>(Exit::Io) : 0;
}

int cmd_sandbox_reset(const std::string& app, bool keep_config) {
  const std::string dir = existing_sandbox(app);
  UniqueFd lock = lock_stopped_sandbox(dir, app, "reset its sandbox");
  const std::string keep = keep_config ? config_home() : std::string();
  reset_sandbox(dir, keep);
  say("{}: sandbox reset{}\n", app, keep_config ? fmt::format(" (kept {})", keep) : "");
  return 0;
}

int cmd_sandbox_rm(const std::string& app) {
  const uint64_t bytes = remove_stopped_sandbox(existing_sandbox(app), app, "remove its sandbox");
  say("{}: sandbox removed ({} the app had written)\n", app, human_bytes(bytes));
  return 0;
}

int cmd_sandbox_export(const std::string& app, const std::string& file) {
  const std::string dir = existing_sandbox(app);
  // Taken so no launch or reset changes it mid-export; a running app may still write.
  UniqueFd lock = lock_sandbox(dir);
  ArchiveCount n = export_sandbox(dir, app, file);
  say("{}: exported {} entries ({}) to {}\n", app, n.entries, human_bytes(n.bytes), file);
  return 0;
}

int cmd_sandbox_import(const std::string& app, const std::string& file, bool replace) {
  const std::string dir = sandbox_dir(app);
  const std::string root = sandboxes_root();
  make_dirs(root, 0700);
  remove_stale_work_dirs(root, stderr_reporter());
  const std::string staging = fmt::format("{}/{}{}-{}", root, layout::kImportSandboxPrefix, app, ::getpid());
  const bool exists = path_exists(dir);
  UniqueFd lock;
  if (exists) {
    lock = lock_stopped_sandbox(dir, app, "import into its sandbox");
    if (!replace && !list_dir(layout::upper(dir)).empty()) {
      throw Error(Exit::Usage, fmt::format("{} already has a sandbox with changes in it ({}); add --replace to discard it", app, dir));
    }
  }
  ArchiveCount n = import_sandbox(file, app, staging);
  const std::string old = fmt::format("{}/{}{}-{}", root, layout::kReplacedSandboxPrefix, app, ::getpid());
  if (exists && ::rename(dir.c_str(), old.c_str()) != 0) {
    int err = errno;
    remove_tree(staging);
    throw_sys("cannot move aside", dir, err);
  }
  if (::rename(staging.c_str(), dir.c_str()) != 0) {
    int err = errno;
    if (exists) ::rename(old.c_str(), dir.c_str());
    remove_tree(staging);
    throw_sys("cannot publish", dir, err);
  }
  if (exists) remove_work_dir(old);
  say("{}: imported {} entries ({}) from {}\n", app, n.entries, human_bytes(n.bytes), file);
  return 0;
}

void add_sandbox_command(CLI::App& app, Commands& out) {
  struct SandboxArgs {
    std::string app_id, file;
    bool json = false, keep_config = false, replace = false;
  };
  auto args = std::make_shared<SandboxArgs>();
  CLI::App* sandbox_cmd = app.add_subcommand("sandbox", "See and manage an app's per-user sandbox (what it wrote)");
  sandbox_cmd->require_subcommand(1);
  CLI::App* list = sandbox_cmd->add_subcommand("list", "List your sandboxes: app, version, size, running or not");
  list->add_flag("--json", args->json, "Print a JSON array (see README: Output for scripts)");
  out.add(list, [args] { return cmd_sandbox_list(args->json); });
  CLI::App* path = sandbox_cmd->add_subcommand("path", "Print the sandbox directory of APP");
  path->add_option("app", args->app_id, "App id")->required();
  out.add(path, [args] { return cmd_sandbox_path(args->app_id); });
  CLI::App* diff = sandbox_cmd->add_subcommand("diff", "What APP added (A), modified (M), deleted (D) or replaced (R)");
  diff->add_option("app", args->app_id, "App id")->required();
  out.add(diff, [args] { return cmd_sandbox_diff(args->app_id); });
  CLI::App* reset = sandbox_cmd->add_subcommand("reset", "Discard everything APP wrote: it sees the pristine view again");
  reset->add_option("app", args->app_id, "App id")->required();
  add_quiet_flag(*reset);
  reset->add_flag("--keep-config", args->keep_config, "Keep its configuration ($XDG_CONFIG_HOME, with its GSettings keys)");
  out.add(reset, [args] { return cmd_sandbox_reset(args->app_id, args->keep_config); });
  CLI::App* rm = sandbox_cmd->add_subcommand("rm", "Delete APP's sandbox: everything it wrote, its settings and state");
  rm->add_option("app", args->app_id, "App id")->required();
  rm->footer("Refused (75) while APP runs; a missing sandbox is 66. The app's next launch starts a new one.");
  add_quiet_flag(*rm);
  out.add(rm, [args] { return cmd_sandbox_rm(args->app_id); });
  CLI::App* exp = sandbox_cmd->add_subcommand("export", "Write APP's sandbox to FILE (tar+zstd)");
  exp->add_option("app", args->app_id, "App id")->required();
  exp->add_option("file", args->file, "File to write, e.g. app.tar.zst")->required()->type_name("FILE");
  add_quiet_flag(*exp);
  out.add(exp, [args] { return cmd_sandbox_export(args->app_id, args->file); });
  CLI::App* imp = sandbox_cmd->add_subcommand("import", "Make FILE (from sandbox export) APP's sandbox");
  imp->add_option("app", args->app_id, "App id")->required();
  imp->add_option("file", args->file, "File written by appv sandbox export")->required()->type_name("FILE");
  imp->add_flag("--replace", args->replace, "Discard the sandbox APP has now");
  add_quiet_flag(*imp);
  out.add(imp, [args] { return cmd_sandbox_import(args->app_id, args->file, args->replace); });
}

}  // namespace appv::cli
