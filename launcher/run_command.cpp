// `appv run`: the launch sequence, top to bottom.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/sandbox_access.h"
#include "base/error.h"
#include "manifests/tokens.h"
#include "redirect/child.h"
#include "redirect/environment.h"
#include "redirect/exec.h"
#include "redirect/instance.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/sandbox.h"
#include "vfs/sha256.h"
#include "vfs/trust.h"
#include "base/unique_fd.h"
#include "vfs/view.h"

extern char** environ;

namespace appv::cli {
namespace {

constexpr const char* kCwdOrigin = "default (working directory)";

// Defaults, then the manifest's rules, then the command line's: later wins.
RuleSet view_rules(const Manifest& manifest, const std::vector<std::string>& isolate, const Tokens& user,
                   const std::string& cwd, const TreeProbe& host) {
  RuleSet rules = default_rules(user, cwd, host);
  for (const auto& [prefix, mode] : manifest.isolation) add_rule(rules, prefix, mode, "manifest", user);
  for (const std::string& arg : isolate) {
    Rule r = parse_rule_arg(arg);
    add_rule(rules, r.prefix, r.mode, r.origin, user);
  }
  rules.drop_redundant_defaults();
  return rules;
}

// Two launches may share one view when they show the same package through the same
// rules; the working directory's own rule is the exception, as each launch has one.
std::string view_id(const std::string& digest, const RuleSet& rules) {
  std::string text = digest;
  for (const auto& [prefix, rule] : rules.rules()) {
    if (rule.origin != kCwdOrigin) text += fmt::format("\n{} {}", prefix, to_string(rule.mode));
  }
  return to_hex(sha256(text.data(), text.size())).substr(0, 32);
}

std::vector<std::string> full_prefixes(const RuleSet& rules) {
  std::vector<std::string> out;
  for (const auto& [prefix, rule] : rules.rules()) {
    if (rule.mode == Isolation::Full) out.push_back(prefix);
  }
  return out;
}

// The package's tree as the planner sees it, read from the payload listing.
MemoryTree listed_tree(const Package& package) {
  MemoryTree tree;
  scan_payload(package, [&](const PayloadEntry& e) {
    if (e.path.rfind(std::string(kRootEntry) + "/", 0) != 0) return;
    std::string vpath = e.path.substr(std::string(kRootEntry).size());
    NodeKind kind = e.type == PayloadEntry::Type::Dir ? NodeKind::Dir
                    : e.type == PayloadEntry::Type::Symlink ? NodeKind::Symlink : NodeKind::File;
    tree.add(vpath, kind, e.link);
  });
  return tree;
}

std::vector<std::string> app_argv(const EntryPoint& entry, const std::vector<std::string>& user_args) {
  std::vector<std::string> argv{entry.path};
  argv.insert(argv.end(), entry.args.begin(), entry.args.end());
  argv.insert(argv.end(), user_args.begin(), user_args.end());
  return argv;
}

// `--temp`: the app runs in a child whose sandbox is removed when it exits; the
// child's status becomes ours (a signal that killed it kills us the same way).
int run_temporary(const std::string& sandbox, const std::function<void()>& enter_and_exec) {
  const int status = run_child([&] {
    return report_errors([&] {
      enter_and_exec();
      return 0;
    });
  });
  remove_tree(sandbox);
  exit_like(status);
  return shell_status(status);
}

}  // namespace

int cmd_run(const RunArgs& args) {
  Package package = Package::open(args.package);  // trailer and header only
  enforce_trust(package);  // signatures and policy, before anything of the payload is read
  const Manifest& manifest = package.manifest();
  const EntryPoint& entry = manifest.entry(args.entry);
  const Tokens user = user_tokens();
  const std::string cwd = current_dir();
  const DiskTree host("/");
  const RuleSet rules = view_rules(manifest, args.isolate, user, cwd, host);
  const std::string cache = cache_dir();
  const std::string sandboxes = sandboxes_root();
  const std::string sandbox =
      args.temp ? fmt::format("{}/.temp-{}-{}", sandboxes, manifest.id, ::getpid()) : sandbox_dir(manifest.id);
  const Layout layout{fmt::format("{}/{}/root", cache, package.digest()), sandbox, {sandboxes}, locked_mount_points()};

  if (args.dry_run) {
    MemoryTree listed = listed_tree(package);
    Plan plan = make_plan(rules, host, listed, layout);
    fmt::print("package: {} ({} {}), entry {} -> {}\n", args.package, manifest.id, manifest.version,
               args.entry.empty() ? manifest.default_entry : args.entry, entry.path);
    fmt::print("cache:   {}\nsandbox: {}\n", layout.package_root, layout.sandbox);
    if (auto running = args.temp ? std::nullopt : running_instance(sandbox)) {
      fmt::print("running: pid {} ({} its view)\n", running->pid,
                 running->view_id == view_id(package.digest(), rules) ? "this launch would join" : "a launch would be refused by");
    }
    fmt::print("{}", format_plan(rules, plan));
    return 0;
  }

  if (::isatty(STDERR_FILENO) && ::access(layout.package_root.c_str(), F_OK) != 0) {
    std::fprintf(stderr, "appv: extracting %s (%.1f MB) into the cache...\n", manifest.id.c_str(),
                 static_cast<double>(package.header().unpacked_bytes) / 1e6);
  }
  CachedPackage cached = ensure_cached(package, cache);
  Tokens env_tokens = user;
  env_tokens["APPV_APP_ID"] = manifest.id;
  env_tokens["APPV_ROOT"] = cached.root;
  const std::vector<std::string> env = build_environment(environ, manifest.env, env_tokens);
  const std::vector<std::string> argv = app_argv(entry, args.app_args);

  if (args.temp) {
    make_dirs(sandboxes, 0700);
    remove_stale_work_dirs(sandboxes);
    make_dirs(sandbox, 0700);
    Plan plan = make_plan(rules, host, DiskTree(cached.root), layout);
    try {
      make_plan_dirs(sandbox, plan.dirs_to_create, cached.root);
    } catch (...) {
      remove_tree(sandbox);
      throw;
    }
    return run_temporary(sandbox, [&] {
      NamespaceState ns = enter_namespaces();
      enter_view(plan, ns);
      exec_entry(entry.path, argv, env, cwd);
    });
  }

  // Launches of one app enter its view one at a time. The lock's fd is close-on-exec,
  // so it is released the moment the app starts; taking it first also creates the
  // sandbox private (0700) before anything is written into it.
  UniqueFd sandbox_lock = lock_sandbox(sandbox);
  const std::string id = view_id(package.digest(), rules);
  if (std::optional<Instance> running = running_instance(sandbox)) {
    if (running->view_id != id) {
      throw Error(Exit::Busy, fmt::format("{} is already running (pid {}) with another version or other isolation "
                                          "rules, and its sandbox cannot be shared between two views; close it first, "
                                          "or use --temp",
                                          manifest.id, running->pid));
    }
    // An instance that exited since it was found leaves a view nobody holds: build anew.
    if (join_instance(*running)) exec_entry(entry.path, argv, env, cwd);
  }
  Plan plan = make_plan(rules, host, DiskTree(cached.root), layout);
  write_state(sandbox, SandboxState{manifest.id, manifest.version, package.digest(), full_prefixes(rules)});
  make_plan_dirs(sandbox, plan.dirs_to_create, cached.root);
  record_instance(sandbox, id);
  NamespaceState ns = enter_namespaces();
  enter_view(plan, ns);
  exec_entry(entry.path, argv, env, cwd);
}

}  // namespace appv::cli
