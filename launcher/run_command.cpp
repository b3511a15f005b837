// `appv run` and the runtime stub: parse → plan → apply.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/fs_util.h"

#include "base/error.h"
#include "base/resolve.h"
#include "base/unique_fd.h"
#include "launch/locale_fallback.h"
#include "launch/launch_plan.h"
#include "launch/plan_format.h"
#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/hand_over.h"
#include "launcher/host_inputs.h"
#include "launcher/reporter.h"
#include "redirect/apply.h"
#include "redirect/terminal_relay.h"
#include "redirect/namespace_probe.h"
#include "vfs/cache.h"
#include "vfs/layout.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"
#include "vfs/trust.h"
#include "vfs/view.h"

namespace appv::cli {
namespace {

// The package's tree as the planner sees it, read from the payload listing: what a
// dry run plans with before the package is extracted.
MemoryTree listed_tree(const Package& package) {
  MemoryTree tree;
  scan_payload(package, [&](const PayloadEntry& e) {
    const std::optional<std::string> vpath = virtual_path_of(e.path);
    if (!vpath || *vpath == "/") return;
    NodeKind kind = e.type == PayloadEntry::Type::Dir ? NodeKind::Dir
                    : e.type == PayloadEntry::Type::Symlink ? NodeKind::Symlink : NodeKind::File;
    tree.add(*vpath, kind, e.link);
  });
  return tree;
}

// The policy's word on the package's permissions, then the user's --deny.
std::vector<PermissionOverride> permission_overrides(const Policy& policy, const std::string& app_id,
                                                     const std::vector<std::string>& deny) {
  std::vector<PermissionOverride> out = policy_permission_overrides(policy, app_id);
  for (const std::string& name : deny) {
    if (!valid_permission_name(name)) {
      throw Error(Exit::Usage, fmt::format("--deny: unknown permission '{}'{}; known: {}", name,
                                           did_you_mean(name, permission_names()), fmt::join(permission_names(), ", ")));
    }
    out.push_back({name, false, "command line --deny " + name});
  }
  return out;
}

// The names in a glibc locale archive below `root` (a host directory: "/" or the
// package's tree in the cache), opened without leaving it (DESIGN.md, invariant 8)
// and mapped rather than read: an archive of every locale is 200 MB, of which the
// name table is a few pages.
std::optional<std::set<std::string>> read_locale_archive(const std::string& root, const std::string& path) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return std::nullopt;
  UniqueFd fd(openat_resolved(dir.get(), path, O_RDONLY, Resolve::InRoot));
  struct stat st;
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return std::nullopt;
  const size_t size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (map == MAP_FAILED) return std::nullopt;
  auto names = locale_archive_names(std::string_view(static_cast<const char*>(map), size));
  ::munmap(map, size);
  return names;
}

// Whether the package's sandbox records an instance this launch can reach (running,
// or idle in its linger, on the tree it was built on): a launch of the same view joins
// it. Only a hint for whether to probe: the plan decides.
bool may_join_instance(const RunArgs& args, const Package& package) {
  const std::string& id = package.manifest().id;
  if (args.temp || !valid_app_id(id)) return false;
  const std::optional<Instance> instance = running_instance(layout::join(sandboxes_root(), id));
  return instance && !instance->unreachable && !instance->tree_replaced;
}

// The package's extracted tree, looked up in its index (vfs/tree_index.h) where the
// extraction wrote one.
DiskTree extracted_tree(const std::string& root) {
  DiskTree tree(root);
  tree.use_index(package_tree_index(root));
  return tree;
}

}  // namespace

int cmd_run(const RunArgs& args) { return cmd_run(args, Package::open(args.package)); }  // trailer and header only

int cmd_run(const RunArgs& args, Package package) {
  std::optional<Backend> forced;
  if (!args.backend.empty()) {
    forced = backend_named(args.backend);
    if (!forced) throw Error(Exit::Usage, fmt::format("unknown backend '{}': ns or ptrace", args.backend));
  }
  // Whether the ns backend can work here is tried in a child while this process reads
  // the policy and the host (nothing of which creates anything); its answer is taken
  // below, before anything is created. Not when the launch is about to join a view
  // that exists: joining creates no namespace, and the probe's fork and mounts would
  // cost the launch about a tenth of its time. Should the plan build after all, the
  // probe is taken then, and the plan made again with its answer.
  std::optional<NamespaceProbe> probe;
  if (forced != Backend::Ptrace && !may_join_instance(args, package)) probe.emplace(NamespaceProbe::start());
  const Policy policy = load_system_policy();  // read once: what it says holds for this whole launch
  enforce_trust(package, policy);  // signatures and policy, before anything of the payload is read
  LaunchInputs in = host_launch_inputs();
  // An interactive launch gives the app a terminal of appv's own (redirect/
  // terminal_relay.h): the plan binds that one at /dev/console.
  std::optional<TerminalRelay> terminal = TerminalRelay::for_interactive_use();
  if (terminal) in.tty = terminal->app_terminal();
  in.kind = args.temp ? LaunchKind::Temp : LaunchKind::Run;
  in.package_path = args.package;
  in.installed = args.installed;
  in.manifest = &package.manifest();
  in.digest = package.digest();
  in.entry = args.entry;
  in.argv0 = args.argv0;
  in.isolate = args.isolate;
  in.backend = forced;
  in.permission_overrides = permission_overrides(policy, package.manifest().id, args.deny);
  in.host_paths = policy_host_paths(policy, package.manifest().id);
  in.bus_names = policy_bus_names(policy, package.manifest().id);
  in.args = args.app_args;
  in.cache = cache_dir();
  in.read_locale_archive = read_locale_archive;
  // Whether the ns backend can work here, and why not, before anything is created (the
  // cache directory, the package's extraction); the plan records the answer. Where it
  // is refused: a self-executing package hands over to an installed appv (whose AppArmor
  // profile may allow what the stub is refused), else the ptrace backend runs the app,
  // unless the user asked for ns.
  const auto take_answer = [&](NamespaceSupport answer) {
    in.namespaces = std::move(answer);
    if (!in.namespaces->usable()) {
      if (args.hand_over) hand_over_to_installed_appv(args);  // returns if there is none
      if (forced == Backend::Namespaces && !args.dry_run) throw Error(Exit::Environment, refusal_message(*in.namespaces));
    }
  };
  if (probe) take_answer(probe->answer());
  const DiskTree host = host_tree(in);
  // The plan; planned again with the probe's answer if it was left out for a join and
  // the launch builds instead (the instance has gone, or gives way).
  const auto plan_for = [&](const TreeProbe& package_tree) {
    LaunchPlan plan = plan_launch(in, host, package_tree);
    if (plan.start == Start::Join || in.namespaces || forced == Backend::Ptrace) return plan;
    take_answer(probe_namespace_support());
    return plan_launch(in, host, package_tree);
  };

  if (args.dry_run) {
    // Planned against the cache entry when there is one, else the payload's listing
    // (the same tree, before extraction).
    const std::string root = layout::cache_root(in.cache, package.digest());
    const bool cached = ::access(root.c_str(), F_OK) == 0;
    const LaunchPlan plan = cached ? plan_for(extracted_tree(root)) : plan_for(listed_tree(package));
    if (!args.installed.empty() && !args.json) {
      fmt::print("installed: {} ({})\n", args.package, args.installed == "user" ? "installed for you" : "installed for every user");
    }
    fmt::print("{}", args.json ? launch_plan_json(plan) : format_launch_plan(plan, in.environ));
    return 0;
  }

  // A first run extracts the package: on a terminal, a progress line that is taken
  // down before the app starts.
  const CachedPackage cached = ensure_cached(package, in.cache, stderr_reporter());
  const LaunchPlan plan = plan_for(extracted_tree(cached.root));
  const auto print_notices = [](const LaunchPlan& p, const std::vector<std::string>& said) {
    if (quiet()) return;
    for (const std::string& notice : p.notices) {
      if (std::find(said.begin(), said.end(), notice) == said.end()) std::fprintf(stderr, "%s\n", notice.c_str());
    }
  };
  print_notices(plan, {});
  try {
    apply(plan, stderr_reporter(), terminal ? &*terminal : nullptr);
  } catch (const ViewGone&) {
    // The view this launch was to join, planned without the probe, went meanwhile
    // (its linger ended): the probe now, and the plan again with its answer, against
    // the trees as they are now (a DiskTree remembers what it looked at).
    take_answer(probe_namespace_support());
    const LaunchPlan built = plan_launch(in, host_tree(in), extracted_tree(cached.root));
    print_notices(built, plan.notices);
    apply(built, stderr_reporter(), terminal ? &*terminal : nullptr);
  }
}

}  // namespace appv::cli
