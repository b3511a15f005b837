#include "launch/launch_plan.h"

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "launch/environment.h"
#include "launch/host_state.h"
#include "launch/kernel_trees.h"
#include "launch/locale_fallback.h"
#include "launch/permissions_plan.h"
#include "manifests/paths.h"
#include "vfs/layout.h"
#include "vfs/sha256.h"

namespace appv {
namespace {

// APPV_LINGER_MS: a whole number of milliseconds, at most a day (0: init leaves as
// soon as its namespace is empty).
std::chrono::milliseconds linger_period(const std::vector<std::string>& environ) {
  constexpr std::string_view kName = "APPV_LINGER_MS=";
  for (const std::string& e : environ) {
    if (e.compare(0, kName.size(), kName) != 0) continue;
    const std::string value = e.substr(kName.size());
    long long ms = -1;
    if (!value.empty() && value.size() <= 8 && value.find_first_not_of("0123456789") == std::string::npos) {
      ms = std::stoll(value);
    }
    if (ms < 0 || ms > 24LL * 3600 * 1000) {
      throw Error(Exit::Usage, fmt::format("APPV_LINGER_MS must be a number of milliseconds from 0 to 86400000, not '{}'",
                                           value));
    }
    return std::chrono::milliseconds(ms);
  }
  return kDefaultLinger;
}

// The user's directories (HOME, XDG_*) as rule prefixes: where the host's links lead.
// Rules match the paths the kernel resolves, and mounts go where the directory is, so
// a HOME reached through a link (homes moved to another disk: /home/u -> /data/home/u)
// gets its rules at /data/home/u; the app's environment keeps the user's spelling.
Tokens user_dirs_on_host(const Tokens& user, const TreeProbe& host) {
  Tokens out = user;
  for (auto& [name, value] : out) {
    if (name == "USER" || value.empty() || value[0] != '/') continue;
    if (std::string real = resolve_in_tree(host, value); !real.empty()) value = real;
  }
  return out;
}

// Where appv's sandboxes lie on the host, links followed (~/.local on another disk, a
// linked sandboxes directory): the view hides that directory, which an app reaches
// through the links too. The path as given while it does not exist yet.
std::string sandboxes_on_host(const LaunchInputs& in, const TreeProbe& host) {
  if (in.sandboxes.empty()) return {};
  std::string real = resolve_in_tree(host, in.sandboxes);
  return real.empty() ? in.sandboxes : real;
}

// Defaults, then the manifest's rules as far as the policy lets them open host paths,
// then the command line's, each covering everything below its prefix: later wins.
// `sandboxes`: sandboxes_on_host's.
RuleSet view_rules(const LaunchInputs& in, const TreeProbe& host, const std::string& sandboxes) {
  const Tokens dirs = user_dirs_on_host(in.user, host);
  // A working directory among appv's sandboxes, which every view hides, is not made a
  // merged place of the view: the app would see a sandbox (its own or another app's)
  // there. It starts in / instead, and is told so.
  const bool cwd_hidden = !sandboxes.empty() && path_has_prefix(in.cwd, sandboxes);
  RuleSet rules = default_rules(dirs, cwd_hidden ? std::string() : in.cwd, host);
  for (const auto& [prefix, mode] : in.manifest->isolation) {
    add_rule(rules, prefix, mode, RuleOrigin::Manifest, dirs, in.host_paths, &host);
  }
  for (const std::string& arg : in.isolate) {
    Rule r = parse_rule_arg(arg);
    add_rule(rules, r.prefix, r.mode, RuleOrigin::CommandLine, dirs);
  }
  rules.drop_redundant_defaults();
  return rules;
}

// The installer's view: the whole host in writecopy but the kernel's trees, so what
// it writes, changes or deletes lands in the sandbox's upper directory.
RuleSet install_capture_rules() {
  RuleSet rules;
  rules.set("/", Isolation::WriteCopy, RuleOrigin::InstallCapture);
  for (const char* p : {"/proc", "/dev", "/sys", "/run"}) rules.set(p, Isolation::Host, RuleOrigin::InstallCapture);
  return rules;
}

std::vector<std::string> full_prefixes(const RuleSet& rules) {
  std::vector<std::string> out;
  for (const auto& [prefix, rule] : rules.rules()) {
    if (rule.mode == Isolation::Full) out.push_back(prefix);
  }
  return out;
}

}  // namespace

Backend choose_backend(const LaunchInputs& in) {
  if (in.backend) return *in.backend;
  if (in.namespaces && !in.namespaces->usable()) return Backend::Ptrace;
  return Backend::Namespaces;
}

namespace {

std::string describe_backend(const LaunchInputs& in) {
  const Backend chosen = choose_backend(in);
  if (chosen == Backend::Ptrace) {
    const std::string how = "no namespaces: the app's path system calls redirected into the view by a ptrace supervisor";
    if (in.backend) return how + " (--backend ptrace)";
    return how + ", chosen because this host refuses the ns backend: " + refusal_message(*in.namespaces);
  }
  if (in.namespaces && !in.namespaces->usable()) return "refused on this host: " + refusal_message(*in.namespaces);
  std::string why = in.as_root ? "mount namespace; running as root"
                               : "user and mount namespaces; only the caller's uid and gid mapped";
  if (in.namespaces) {
    why += in.as_root ? "; probed: a mount namespace, mounts and overlayfs work here"
                      : "; probed: a user namespace, its id maps, mounts and overlayfs work here";
  }
  return why;
}

// `sandboxes`: sandboxes_on_host's.
void plan_app(const LaunchInputs& in, const TreeProbe& host, const std::string& sandboxes, LaunchPlan& plan) {
  if (!in.manifest) throw Error(Exit::Internal, "a launch plan for an app needs its manifest");
  const Manifest& m = *in.manifest;
  // The id names a directory: checked here too, whatever parsed the manifest.
  if (!valid_app_id(m.id)) throw Error(Exit::BadInput, fmt::format("the package's app id '{}' is not valid", m.id));
  const EntryPoint& entry = m.entry(in.entry);
  plan.package_path = in.package_path;
  plan.installed = in.installed;
  plan.app_id = m.id;
  plan.app_version = m.version;
  plan.digest = in.digest;
  plan.entry_name = in.entry.empty() ? m.default_entry : in.entry;
  plan.entry_path = entry.path;
  plan.package_root = layout::cache_root(in.cache, in.digest);
  // Links followed: the `ns` backend names the overlays' upper directories inside the
  // view it builds, where a link to another place on the host would not lead there.
  plan.sandbox = in.kind == LaunchKind::Temp ? layout::temp_sandbox(sandboxes, m.id, in.pid)
                                             : layout::join(sandboxes, m.id);
  plan.cleanup = in.kind == LaunchKind::Temp ? Cleanup::RemoveOnExit : Cleanup::Keep;

  plan.rules = view_rules(in, host, sandboxes);
  plan.permissions = resolve_permissions(m.permissions, m.id, in.permission_overrides, in.bus_names);
  for (const std::string& name : plan.permissions.withheld) {
    plan.notices.push_back(fmt::format("appv: {} asks for '{}' on the bus, which reaches outside the view; withheld "
                                       "(an administrator can allow it: policy.toml bus_names)",
                                       m.id, name));
  }
  // A launch joins a running view only if that view grants the same permissions.
  std::string granted;
  for (const PermissionDecision& d : plan.permissions.decisions) granted += d.granted ? " " + d.name : "";
  plan.view_id = view_id(granted.empty() ? in.digest : in.digest + "\npermissions" + granted, plan.rules);
  plan.state = SandboxState{m.id, m.version, in.digest, full_prefixes(plan.rules)};

  plan.program = entry.path;
  plan.argv = {in.argv0.empty() ? entry.path : in.argv0};
  plan.argv.insert(plan.argv.end(), entry.args.begin(), entry.args.end());
  plan.argv.insert(plan.argv.end(), in.args.begin(), in.args.end());
  Tokens env_tokens = in.user;
  env_tokens["APPV_APP_ID"] = m.id;
  env_tokens["APPV_ROOT"] = plan.package_root;
  std::vector<const char*> host_env;
  for (const std::string& e : in.environ) host_env.push_back(e.c_str());
  host_env.push_back(nullptr);
  plan.env = build_environment(host_env.data(), m.env, env_tokens);

  if (in.kind == LaunchKind::Run && in.find_instance) plan.running = in.find_instance(plan.sandbox);
  plan.start = decide_start(plan.running, plan.view_id, plan.backend);
  if (plan.start == Start::Join && plan.backend == Backend::Namespaces && !in.namespaces) {
    plan.backend_why += "; not probed: the launch joins the namespaces of a view that exists";
    plan.join_unprobed = !in.backend;
  }
  if (in.kind == LaunchKind::Run && plan.backend == Backend::Namespaces) plan.linger = linger_period(in.environ);
}

// What the view shows at /usr/lib/locale: the package's tree over the host's, or one
// of them alone, and the archive on top (a package's archive hides the host's).
LocaleSources locale_sources(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package_tree,
                             const LaunchPlan& plan) {
  const Isolation mode = plan.rules.lookup(kLocaleDir).mode;
  LocaleSources sources;
  if (mode != Isolation::Host) sources.trees.push_back(&package_tree);
  if (mode != Isolation::Full) sources.trees.push_back(&host);
  sources.where = mode == Isolation::Full ? "the package; the host's /usr/lib/locale is hidden"
                  : mode == Isolation::Host ? "the host's /usr/lib/locale"
                                            : "the package or the host's /usr/lib/locale";
  sources.archive = std::set<std::string>{};
  for (const TreeProbe* tree : sources.trees) {
    if (tree->kind(kLocaleArchive) == NodeKind::Absent) continue;
    const std::string root = tree == &host ? "/" : plan.package_root;
    sources.archive = in.read_locale_archive ? in.read_locale_archive(root, kLocaleArchive) : std::nullopt;
    break;
  }
  return sources;
}

void plan_locales(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package_tree, LaunchPlan& plan) {
  LocaleFallback fallback = fall_back_locales(std::move(plan.env), locale_sources(in, host, package_tree, plan));
  plan.env = std::move(fallback.env);
  if (!fallback.notice.empty()) plan.notices.push_back(std::move(fallback.notice));
}

void plan_install_capture(const LaunchInputs& in, LaunchPlan& plan) {
  if (in.args.empty() || in.program.empty()) throw Error(Exit::Usage, "capture: give the installer to run after --");
  plan.sandbox = layout::capture_sandbox(in.sandboxes, in.pid);
  plan.cleanup = Cleanup::CallerRemoves;
  plan.rules = install_capture_rules();
  plan.program = in.program;
  plan.argv = in.args;
  plan.env = in.environ;
}

}  // namespace

std::string_view to_string(LaunchKind kind) {
  switch (kind) {
    case LaunchKind::Run: return "run";
    case LaunchKind::Temp: return "temp";
    case LaunchKind::InstallCapture: return "install-capture";
  }
  return "?";
}

std::string_view to_string(Backend backend) {
  switch (backend) {
    case Backend::Namespaces: return "ns";
    case Backend::Ptrace: return "ptrace";
  }
  return "?";
}

std::optional<Backend> backend_named(std::string_view name) {
  if (name == "ns") return Backend::Namespaces;
  if (name == "ptrace") return Backend::Ptrace;
  return std::nullopt;
}

std::string_view to_string(Start start) {
  switch (start) {
    case Start::Build: return "build";
    case Start::Join: return "join";
    case Start::Refuse: return "refuse";
    case Start::ReplaceIdle: return "replace-idle";
  }
  return "?";
}

std::string_view to_string(Cleanup cleanup) {
  switch (cleanup) {
    case Cleanup::Keep: return "keep";
    case Cleanup::RemoveOnExit: return "remove-on-exit";
    case Cleanup::CallerRemoves: return "caller-removes";
  }
  return "?";
}

std::string view_id(const std::string& digest, const RuleSet& rules) {
  std::string text = digest, here;
  for (const auto& [prefix, rule] : rules.rules()) {
    (rule.origin == RuleOrigin::WorkingDir ? here : text) += fmt::format("\n{} {}", prefix, to_string(rule.mode));
  }
  return to_hex(sha256(text.data(), text.size())).substr(0, 32) + "." +
         to_hex(sha256(here.data(), here.size())).substr(0, 16);
}

Start decide_start(const std::optional<Instance>& running, const std::string& id, Backend backend) {
  if (!running) return Start::Build;
  if (backend == Backend::Ptrace) return running->idle || running->unreachable ? Start::ReplaceIdle : Start::Build;
  // One this launch cannot enter is ended if it is idle (apply() asks it), whatever it shows.
  if (running->unreachable) return Start::ReplaceIdle;
  if (!running->tree_replaced) {
    if (running->view_id == id) return Start::Join;
    // Only the working directory's grant differs: a running instance is joined (the
    // launch works in that view, where its own directory may be writecopy; README),
    // an idle one gives way, so that the launch gets its own directory's grant.
    const auto rules_part = [](const std::string& v) { return v.substr(0, v.find('.')); };
    if (!running->idle && rules_part(running->view_id) == rules_part(id)) return Start::Join;
  }
  return running->idle ? Start::ReplaceIdle : Start::Refuse;
}

void throw_refused(const LaunchPlan& plan, const Instance& running) {
  if (running.unreachable) {
    throw Error(Exit::Busy, fmt::format("{} is already running (pid {}) in a user namespace this launch cannot enter, "
                                        "and its sandbox cannot be shared between two views; close it first, or use "
                                        "--temp",
                                        plan.app_id, running.pid));
  }
  throw Error(Exit::Busy, fmt::format("{} is already running (pid {}) with another version or other isolation "
                                      "rules, and its sandbox cannot be shared between two views; close it first, "
                                      "or use --temp",
                                      plan.app_id, running.pid));
}

DiskTree host_tree(const LaunchInputs& in) {
  DiskTree host("/");
  host.ask_mounts_within(in.waiting_mounts, kMountAnswerTimeoutMs);
  return host;
}

LaunchPlan plan_launch(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package_tree) {
  LaunchPlan plan;
  plan.kind = in.kind;
  plan.backend = choose_backend(in);
  if (plan.backend == Backend::Ptrace && !in.backend) {
    plan.notices.push_back(
        "appv: this host refuses the namespaces appv's ns backend needs; running with the ptrace backend, which "
        "redirects the app's paths into its view but does not sandbox it (README: \"Hosts that refuse user "
        "namespaces\")");
  }
  plan.backend_why = describe_backend(in);
  plan.namespaces = in.namespaces;
  plan.sandboxes = in.sandboxes;
  plan.cwd = in.cwd;
  const std::string sandboxes = sandboxes_on_host(in, host);
  if (in.kind == LaunchKind::InstallCapture) plan_install_capture(in, plan);
  else plan_app(in, host, sandboxes, plan);
  if (in.kind != LaunchKind::InstallCapture) plan_locales(in, host, package_tree, plan);

  // The installer's view has no package: its layout names a directory that never exists.
  const std::string package_root = in.kind == LaunchKind::InstallCapture ? plan.sandbox + "/no-package" : plan.package_root;
  Layout layout{package_root, plan.sandbox, {sandboxes}, in.host_mounts, {}, in.kernel_mounts};
  if (in.kind != LaunchKind::InstallCapture) {
    const Tokens dirs = user_dirs_on_host(in.user, host);
    for (const char* dir : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"}) {
      if (auto it = dirs.find(dir); it != dirs.end()) layout.link_scan_dirs.push_back(it->second);
    }
  }
  plan.mounts = make_plan(plan.rules, host, package_tree, layout);
  for (const std::string& mount : host.unanswered()) {
    plan.notices.push_back(fmt::format("appv: {}: a mount that did not answer within {} s (a hung network or FUSE file "
                                       "system); left out of the view",
                                       printable(mount), kMountAnswerTimeoutMs / 1000));
  }
  if (in.kind != LaunchKind::InstallCapture) plan_permissions(in, host, plan);
  plan_kernel_trees(host, in.tty, plan);
  plan_host_state(in, host, package_tree, plan);
  return plan;
}

}  // namespace appv
