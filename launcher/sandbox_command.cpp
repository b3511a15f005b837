// `appv sandbox list|path|diff|reset|export|import`: an app's per-user state, seen
// and changed from outside the app.
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/sandbox_access.h"
#include "base/error.h"
#include "base/user_dirs.h"
#include "vfs/layout.h"
#include "manifests/tokens.h"
#include "redirect/instance.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_archive.h"

namespace appv::cli {
namespace {

std::string existing_sandbox(const std::string& app) {
  std::string dir = sandbox_dir(app);
  if (!path_exists(dir)) throw Error(Exit::NoInput, fmt::format("{} has no sandbox (it has not run as this user): {}", app, dir));
  return dir;
}

// The user's $XDG_CONFIG_HOME: what `reset --keep-config` keeps.
std::string config_home() {
  return require_xdg_dir(XdgDir::Config);
}

}  // namespace

int cmd_sandbox_list() {
  const std::string root = sandboxes_root();
  std::vector<std::string> names;
  for (const std::string& name : list_dir(root)) {
    if (name[0] != '.') names.push_back(name);
  }
  if (names.empty()) {
    fmt::print("no sandboxes in {}\n", root);
    return 0;
  }
  fmt::print("{:<32} {:<12} {:>10}  {}\n", "APP", "VERSION", "SIZE", "STATE");
  for (const std::string& name : names) {
    const std::string dir = root + "/" + name;
    std::optional<SandboxState> state = read_state(dir);
    std::optional<Instance> running = running_instance(dir);
    fmt::print("{:<32} {:<12} {:>10}  {}\n", name, state ? state->version : "?", human_bytes(tree_bytes(layout::upper(dir))),
               running ? fmt::format("running (pid {})", running->pid) : "stopped");
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
  for (const Change& c : sandbox_diff(dir, lower)) fmt::print("{} {}\n", c.kind, c.path);
  return 0;
}

int cmd_sandbox_reset(const std::string& app, bool keep_config) {
  const std::string dir = existing_sandbox(app);
  UniqueFd lock = lock_stopped_sandbox(dir, app, "reset its sandbox");
  const std::string keep = keep_config ? config_home() : std::string();
  reset_sandbox(dir, keep);
  fmt::print("{}: sandbox reset{}\n", app, keep_config ? fmt::format(" (kept {})", keep) : "");
  return 0;
}

int cmd_sandbox_export(const std::string& app, const std::string& file) {
  const std::string dir = existing_sandbox(app);
  // Taken so no launch or reset changes it mid-export; a running app may still write.
  UniqueFd lock = lock_sandbox(dir);
  ArchiveCount n = export_sandbox(dir, app, file);
  fmt::print("{}: exported {} entries ({}) to {}\n", app, n.entries, human_bytes(n.bytes), file);
  return 0;
}

int cmd_sandbox_import(const std::string& app, const std::string& file, bool replace) {
  const std::string dir = sandbox_dir(app);
  const std::string root = sandboxes_root();
  make_dirs(root, 0700);
  remove_stale_work_dirs(root);
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
  if (exists) remove_tree(old);
  fmt::print("{}: imported {} entries ({}) from {}\n", app, n.entries, human_bytes(n.bytes), file);
  return 0;
}

}  // namespace appv::cli
