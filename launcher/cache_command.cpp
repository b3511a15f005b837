// `appv cache` (what the extraction cache holds, and what uses it) and `appv cache
// prune` (removes what nothing installed or running uses).
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/human_bytes.h"
#include "base/text.h"
#include "desktop/install.h"
#include "launcher/command_line.h"
#include "launcher/reporter.h"
#include "launcher/json_output.h"
#include "vfs/cache.h"
#include "vfs/cache_inventory.h"
#include "vfs/idle_instance.h"
#include "vfs/package.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"

namespace appv::cli {
namespace {

// Who uses each payload digest: installed packages (the user's, the system's) and the
// apps running in the user's sandboxes. A view that lingers with nothing of its app
// running (vfs/idle_instance.h) is no user: prune ends it with its tree.
std::map<std::string, std::vector<std::string>> users_of_digests(bool installed) {
  std::map<std::string, std::vector<std::string>> users;
  if (installed) {
    std::vector<std::pair<InstallRoots, std::string>> places;
    try {
      places.emplace_back(InstallRoots::for_user(), "installed for you");
    } catch (const Error&) {
    }
    places.emplace_back(InstallRoots::for_system(), "installed for every user");
    for (const auto& [roots, label] : places) {
      std::vector<InstalledApp> apps;
      try {
        apps = list_installed(roots);
      } catch (const Error&) {
      }
      for (const InstalledApp& app : apps) {
        try {
          users[Package::open(app.package).digest()].push_back(label);
        } catch (const Error&) {
          // A package that does not open uses no tree.
        }
      }
    }
  }
  const std::string root = sandboxes_root();
  for (const std::string& name : list_dir(root)) {
    const std::string dir = root + "/" + name;
    const std::optional<Instance> running = running_instance(dir);
    if (running && running->idle) continue;
    const std::optional<SandboxState> state = running ? read_state(dir) : std::nullopt;
    if (state) users[state->digest].push_back(fmt::format("running (pid {})", running->pid));
  }
  return users;
}

std::string local_time(time_t t) {
  struct tm tm;
  if (t == 0 || !::localtime_r(&t, &tm)) return "?";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
  return text;
}

nlohmann::json files_json(const CacheFiles& files) { return {{"count", files.paths.size()}, {"bytes", files.bytes}}; }

int cmd_cache_list(bool json) {
  const CacheInventory inv = read_cache(cache_dir());
  const auto users = users_of_digests(true);
  const auto users_of = [&](const CacheTree& tree) {
    auto it = users.find(tree.digest);
    std::vector<std::string> out = it == users.end() ? std::vector<std::string>{} : it->second;
    if (out.empty() && tree.locked) out.push_back("a launch");
    return out;
  };
  if (json) {
    nlohmann::json trees = nlohmann::json::array();
    for (const CacheTree& t : inv.trees) {
      trees.push_back({{"digest", json_digest(t.digest)},
                       {"id", t.id.empty() ? nlohmann::json() : nlohmann::json(t.id)},
                       {"version", t.version.empty() ? nlohmann::json() : nlohmann::json(t.version)},
                       {"bytes", t.bytes},
                       {"last_used", t.last_used},
                       {"used_by", users_of(t)}});
    }
    nlohmann::json locks = files_json(inv.locks);
    locks["stale"] = inv.stale_locks;
    print_json({{"cache", inv.dir},
                {"trees", trees},
                {"temporaries", files_json(inv.temporaries)},
                {"downloads", files_json(inv.downloads)},
                {"blobs", files_json(inv.blobs)},
                {"locks", locks}});
    return 0;
  }
  fmt::print("cache: {}\n", printable(inv.dir));
  uint64_t tree_bytes = 0;
  if (!inv.trees.empty()) {
    fmt::print("{:<32} {:<12} {:>10}  {:<16}  {}\n", "APP", "VERSION", "SIZE", "LAST USED", "USED BY");
    for (const CacheTree& t : inv.trees) {
      const std::vector<std::string> by = users_of(t);
      fmt::print("{:<32} {:<12} {:>10}  {:<16}  {}\n", printable(t.id.empty() ? t.digest.substr(0, 12) : t.id),
                 printable(t.version.empty() ? "?" : t.version), human_bytes(t.bytes), local_time(t.last_used),
                 by.empty() ? "nothing" : fmt::format("{}", fmt::join(by, ", ")));
      tree_bytes += t.bytes;
    }
  }
  fmt::print("{} extracted trees ({}); pulled packages: {} ({}); partial downloads: {} ({}); "
             "interrupted extractions: {} ({}); locks: {} ({} stale)\n",
             inv.trees.size(), human_bytes(tree_bytes), inv.blobs.paths.size(), human_bytes(inv.blobs.bytes),
             inv.downloads.paths.size(), human_bytes(inv.downloads.bytes), inv.temporaries.paths.size(),
             human_bytes(inv.temporaries.bytes), inv.locks.paths.size(), inv.stale_locks);
  return 0;
}

std::string counted(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// An idle view's tree is one of its overlay's lower layers: before the tree goes, the
// view is ended, under its sandbox's lock (vfs/sandbox_access.h). One where something
// runs by then keeps its tree.
void end_idle_views(PruneKeep& keep) {
  const std::string root = sandboxes_root();
  for (const std::string& name : list_dir(root)) {
    const std::string dir = root + "/" + name;
    const std::optional<Instance> seen = running_instance(dir);
    if (!seen || !seen->idle) continue;
    const std::optional<SandboxState> state = read_state(dir);
    if (!state || keep.digests.count(state->digest)) continue;
    const UniqueFd lock = lock_sandbox(dir);
    const std::optional<Instance> running = running_instance(dir);
    if (running && !(running->idle && end_idle_instance(dir, *running))) keep.digests.insert(state->digest);
  }
}

int cmd_cache_prune(bool all, bool dry_run) {
  const std::string dir = cache_dir();
  PruneKeep keep;
  keep.now = ::time(nullptr);
  for (const auto& [digest, by] : users_of_digests(!all)) keep.digests.insert(digest);
  if (!dry_run) end_idle_views(keep);
  const PruneResult r = prune_cache(dir, keep, dry_run);
  if (dry_run) {
    for (const std::string& path : r.removed) fmt::print("would remove {}\n", printable(path));
  }
  std::vector<std::string> parts;
  if (r.trees) parts.push_back(counted(r.trees, "tree", "trees"));
  if (r.blobs) parts.push_back(counted(r.blobs, "pulled package", "pulled packages"));
  if (r.downloads) parts.push_back(counted(r.downloads, "partial download", "partial downloads"));
  if (r.temporaries) parts.push_back(counted(r.temporaries, "interrupted extraction", "interrupted extractions"));
  if (r.locks) parts.push_back(counted(r.locks, "stale lock", "stale locks"));
  const std::string kept = r.in_use.empty() ? "" : fmt::format(" (kept {} in use by a launch)", counted(r.in_use.size(), "tree", "trees"));
  if (parts.empty()) {
    say("nothing to remove{}\n", kept);
  } else {
    say("{} {}, {}{}\n", dry_run ? "would remove" : "removed", fmt::join(parts, ", "), human_bytes(r.bytes), kept);
  }
  for (const std::string& failure : r.failures) stderr_reporter().warning(printable_message(failure));
  return r.failures.empty() ? 0 : static_cast<int>(Exit::Io);
}

}  // namespace

void add_cache_command(CLI::App& app, Commands& out) {
  struct CacheArgs {
    bool json = false, all = false, dry_run = false;
  };
  auto args = std::make_shared<CacheArgs>();
  CLI::App* cache = app.add_subcommand("cache", "What the extraction cache holds and what uses it; prune frees it");
  cache->require_subcommand(0, 1);
  cache->add_flag("--json", args->json, "Print a JSON object (see README: Output for scripts)");
  cache->footer("Lists each extracted tree (app, version, size, last used, and whether an installed package or a\n"
                "running app uses it), pulled packages, partial downloads, interrupted extractions and lock files.");
  CLI::App* prune = cache->add_subcommand("prune", "Remove what nothing installed or running uses");
  prune->add_flag("--all", args->all, "Also the trees of installed packages (extracted again at their next launch)");
  prune->add_flag("--dry-run", args->dry_run, "Print what would be removed, remove nothing");
  prune->footer("Removes extracted trees no installed package and no running app uses, pulled packages, partial\n"
                "downloads untouched for 10 minutes, interrupted extractions and locks of trees no longer cached.\n"
                "A tree a launch is using stays: prune takes the lock a launch takes.");
  add_quiet_flag(*prune);
  out.add(prune, [args] { return cmd_cache_prune(args->all, args->dry_run); });
  out.add(cache, [args] { return cmd_cache_list(args->json); });
}

}  // namespace appv::cli
