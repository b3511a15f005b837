// `appv run`: the launch sequence, top to bottom.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <climits>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "launcher/commands.h"
#include "manifests/error.h"
#include "redirect/environment.h"
#include "redirect/exec.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "vfs/cache.h"
#include "vfs/fs_util.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/unique_fd.h"
#include "vfs/view.h"

extern char** environ;

namespace appv::cli {
namespace {

std::string current_dir() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string("/");
}

std::string home_dir() {
  const char* home = std::getenv("HOME");
  return home && home[0] == '/' ? std::string(home) : std::string();
}

// Defaults, then the manifest's rules, then the command line's: later wins.
RuleSet view_rules(const Manifest& manifest, const std::vector<std::string>& isolate) {
  RuleSet rules = default_rules(home_dir(), current_dir());
  for (const auto& [prefix, mode] : manifest.isolation) rules.set(prefix, mode, "manifest");
  for (const std::string& arg : isolate) {
    Rule r = parse_rule_arg(arg);
    rules.set(r.prefix, r.mode, r.origin);
  }
  return rules;
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

UniqueFd lock_sandbox(const std::string& sandbox) {
  make_dirs(sandbox, 0700);
  const std::string path = sandbox + "/.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_sys("cannot open lock", path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw_sys("cannot lock", path, errno);
  }
  return fd;
}

std::vector<std::string> app_argv(const EntryPoint& entry, const std::vector<std::string>& user_args) {
  std::vector<std::string> argv{entry.path};
  argv.insert(argv.end(), entry.args.begin(), entry.args.end());
  argv.insert(argv.end(), user_args.begin(), user_args.end());
  return argv;
}

}  // namespace

int cmd_run(const RunArgs& args) {
  Package package = Package::open(args.package);  // trailer and header only
  const Manifest& manifest = package.manifest();
  const EntryPoint& entry = manifest.entry(args.entry);
  const RuleSet rules = view_rules(manifest, args.isolate);
  const std::string cache = cache_dir();
  const Layout layout{fmt::format("{}/{}/root", cache, package.digest()), sandbox_dir(manifest.id)};
  const DiskTree host("/");

  if (args.dry_run) {
    MemoryTree listed = listed_tree(package);
    Plan plan = make_plan(rules, host, listed, layout);
    fmt::print("package: {} ({} {}), entry {} -> {}\n", args.package, manifest.id, manifest.version,
               args.entry.empty() ? manifest.default_entry : args.entry, entry.path);
    fmt::print("cache:   {}\nsandbox: {}\n{}", layout.package_root, layout.sandbox, format_plan(rules, plan));
    return 0;
  }

  if (::isatty(STDERR_FILENO) && ::access(layout.package_root.c_str(), F_OK) != 0) {
    std::fprintf(stderr, "appv: extracting %s (%.1f MB) into the cache...\n", manifest.id.c_str(),
                 static_cast<double>(package.header().unpacked_bytes) / 1e6);
  }
  CachedPackage cached = ensure_cached(package, cache);
  Plan plan = make_plan(rules, host, DiskTree(cached.root), layout);
  std::vector<std::string> env = build_environment(environ, manifest.env, {{"APPV_APP_ID", manifest.id}});
  const std::string cwd = current_dir();

  // Launches of one app build their views one at a time: overlayfs resets its work
  // directory when mounting, and two mounts doing so at once fail. The lock's fd is
  // close-on-exec, so it is released the moment the app starts. Taking it first also
  // creates the sandbox private (0700) before anything is written into it.
  UniqueFd sandbox_lock = lock_sandbox(layout.sandbox);
  for (const std::string& dir : plan.dirs_to_create) make_dirs(dir, 0755);
  NamespaceState ns = enter_namespaces();
  enter_view(plan, ns);
  exec_entry(entry.path, app_argv(entry, args.app_args), env, cwd);
}

}  // namespace appv::cli
