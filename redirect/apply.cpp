#include "redirect/apply.h"

#include <unistd.h>

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/namespace_support.h"
#include "redirect/child.h"
#include "redirect/child_channel.h"
#include "redirect/dbus_proxy.h"
#include "redirect/exec.h"
#include "redirect/instance.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "redirect/network.h"
#include "redirect/pid_namespace.h"
#include "redirect/ptrace_backend.h"
#include "redirect/seccomp_filter.h"
#include "redirect/teardown.h"
#include "redirect/terminal_relay.h"
#include "vfs/copy_up.h"
#include "vfs/foreign_dirs.h"
#include "vfs/idle_instance.h"
#include "vfs/layout.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"
#include "vfs/work_dirs.h"

namespace appv {
namespace {

[[noreturn]] void exec_app(const LaunchPlan& plan) { exec_entry(plan.program, plan.argv, plan.env, plan.cwd); }

// The `ns` backend. This process enters the user namespace (unless root), the
// network namespace when `network` is denied, and makes the PID namespace for its
// children; their init enters its own mount namespace (a pivot_root would move every
// process of a shared one into the view, this one too) and builds the view; the app
// execs below it. Returns the app's raw wait status.
int run_ns(const LaunchPlan& plan, InitLifetime lifetime, const std::function<void(pid_t)>& started,
           const std::vector<int>& init_keeps, TerminalRelay* terminal) {
  // `appv run` returns as soon as the app has ended, and leaves the wait for the view's
  // teardown (the overlays' syncs) to a holder of the sandbox's lock, forked while this
  // process is still in the host's namespaces (and late: each page this process writes
  // after a fork is copied); `run --temp` and install capture wait, as they remove or
  // read the sandbox next.
  // An init that lingers (redirect/pid_namespace.h Linger) keeps a second description
  // of the sandbox's lock, shared with the holder, opened while this process holds the
  // lock itself (the file is the one at its path).
  std::optional<TeardownHolder> holder;
  std::function<void(pid_t)> init_leaving;
  UniqueFd linger_lock;
  if (lifetime == InitLifetime::UntilEmpty) {
    if (plan.linger.count() > 0) linger_lock = open_sandbox_lock(plan.sandbox);
    holder.emplace(plan.sandbox, linger_lock.get());
    if (!holder->running()) linger_lock.reset();
    init_leaving = [&](pid_t init) { holder->hand_over(init); };
  }
  // When the holder cannot watch init, this process keeps the lock and waits for init
  // itself, as it does without a holder.
  pid_t unwatched = 0;
  const auto init_started = [&](pid_t init) {
    if (linger_lock && !holder->watch(init)) unwatched = init;
    else linger_lock.reset();
    if (started) started(init);
  };
  const NamespaceState ns = enter_user_namespace();
  if (plan.own_network) enter_own_network();
  unshare_pid_namespace();
  const int status = run_in_pid_namespace(
      [&] {
        enter_mount_namespace();
        enter_view(plan.mounts, ns);
      },
      [&] { exec_app(plan); }, lifetime, init_started, init_keeps, init_leaving, terminal,
      Linger{linger_lock ? plan.linger : std::chrono::milliseconds(0), linger_lock.get()});
  if (unwatched) wait_for(unwatched);
  return status;
}

// `host_side`: the descriptors that keep the launch's host-side helpers alive
// (prepare_host_side), and a throw-away sandbox's lock (apply_in_child). This process
// holds them while it supervises (ptrace), the instance's init while it lives (ns).
// The ptrace backend's app keeps the caller's terminal (README: it redirects, it does
// not contain).
int run_backend(const LaunchPlan& plan, InitLifetime lifetime, const std::function<void(pid_t)>& started,
                const std::vector<int>& host_side, TerminalRelay* terminal) {
  switch (plan.backend) {
    case Backend::Namespaces: return run_ns(plan, lifetime, started, host_side, terminal);
    case Backend::Ptrace:
      if (started) started(::getpid());
      return run_ptrace_backend(plan);
  }
  throw Error(Exit::Internal, "unknown backend");
}

// The host-state files the view shows from the sandbox (launch/host_state.h): the
// host's /etc/passwd with the caller's entry added, an empty file over the package's
// copy of a file the host lacks. Written anew by each launch that builds the view.
void write_generated_files(const LaunchPlan& plan) {
  if (plan.generated.empty()) return;
  make_dirs(layout::host_state(plan.sandbox), 0700);
  for (const LaunchPlan::GeneratedFile& g : plan.generated) {
    if (g.directory) {
      make_dirs(g.path, 0755);
      continue;
    }
    std::string content;
    if (!g.from.empty()) {
      std::ifstream in(g.from, std::ios::binary);
      if (!in) throw_sys("cannot read", g.from, errno, Exit::Environment);
      std::ostringstream text;
      text << in.rdbuf();
      content = text.str();
      if (!content.empty() && content.back() != '\n') content += '\n';
    }
    // Unsynced: every launch that builds the view writes them anew.
    write_file_atomic(g.path, content + g.append, 0644, Durability::Unsynced);
  }
}

// What the launch needs on the host side, before any namespace: the generated host
// state, and the bus proxies, ready (launch/permissions_plan.h). Returns the proxies'
// pipes: each proxy lives until the last holder is gone — the app's tree, and the
// instance's init, so that a launch which joins the instance keeps its bus after the
// first app has exited.
std::vector<int> prepare_host_side(const LaunchPlan& plan) {
  write_generated_files(plan);
  std::vector<int> keep_alive;
  if (plan.session_bus) keep_alive.push_back(start_bus_proxy(*plan.session_bus));
  if (plan.system_bus) keep_alive.push_back(start_bus_proxy(*plan.system_bus));
  return keep_alive;
}

// The sandbox's directories and whiteouts the plan names, and (ns, unprivileged) the upper
// directories of host directories the view's user namespace could not copy up
// (vfs/foreign_dirs.h). Root's mounts are made from the host's user namespace, where
// overlayfs copies up any owner; the ptrace backend copies up by itself.
void make_sandbox_dirs(const LaunchPlan& plan) {
  make_plan_dirs(plan.sandbox, plan.mounts.dirs_to_create, plan.package_root);
  make_plan_whiteouts(plan.sandbox, plan.mounts.whiteouts, plan.package_root);
  if (plan.backend == Backend::Namespaces && ::geteuid() != 0) {
    make_foreign_dirs_upper(plan.mounts.ops, plan.package_root, CallerIds::of_this_process());
  }
}

// A host the probe found refusing the backend: said before anything is created.
// The ns backend on a host whose probe found it refused: the refusal's one line. (The
// ptrace backend needs no namespaces; the probe's answer is only its reason there.)
void require_usable_backend(const LaunchPlan& plan) {
  if (plan.backend == Backend::Namespaces && plan.namespaces && !plan.namespaces->usable()) {
    throw Error(Exit::Environment, refusal_message(*plan.namespaces));
  }
}

}  // namespace

int apply_in_child(const LaunchPlan& plan, Reporter& reporter, TerminalRelay* terminal) {
  require_usable_backend(plan);
  make_dirs(plan.sandboxes, 0700);
  remove_stale_work_dirs(plan.sandboxes, reporter);
  // The throw-away sandbox is in use while its lock is held (vfs/work_dirs.h): by this
  // process, by the child that waits for the app (it inherits it) and by the PID
  // namespace's init (ns: kept open below) or the supervisor (ptrace: that child).
  // The app may outlive this process (SIGKILL); it never outlives all three.
  const UniqueFd in_use = lock_sandbox(plan.sandbox);
  make_sandbox_dirs(plan);
  std::vector<int> init_keeps = prepare_host_side(plan);
  init_keeps.push_back(in_use.get());
  copy_up_files(plan.sandbox, plan.mounts.copy_ups);
  // The namespaces are entered in a child, so this process stays on the host's side
  // to clean up; everything in the app's PID namespace is gone when it returns.
  return run_child([&] { exit_like(run_backend(plan, InitLifetime::WithApp, {}, init_keeps, terminal)); });
}

void apply(const LaunchPlan& plan, Reporter& reporter, TerminalRelay* terminal) {
  require_usable_backend(plan);
  if (plan.cleanup == Cleanup::RemoveOnExit) {
    int status = 0;
    try {
      status = apply_in_child(plan, reporter, terminal);
    } catch (...) {
      remove_work_dir(plan.sandbox, reporter);
      throw;
    }
    // The app's status is the launch's: a sandbox that could not be removed is said,
    // and left for later launches (vfs/work_dirs.h).
    remove_work_dir(plan.sandbox, reporter);
    exit_like(status);
  }
  if (plan.kind == LaunchKind::InstallCapture) throw Error(Exit::Internal, "install capture runs through apply_in_child");

  // Launches of one app enter its view one at a time, until the app has started;
  // taking the lock first also creates the sandbox private (0700) before anything is
  // written into it.
  UniqueFd sandbox_lock = lock_sandbox(plan.sandbox);
  const auto release_lock = [&](pid_t) { sandbox_lock.reset(); };
  const std::optional<Instance> running = running_instance(plan.sandbox);
  // The ptrace backend has no namespace for a second launch to join: each launch
  // supervises its own processes over the shared sandbox (decide_start()).
  const Start start = decide_start(running, plan.view_id, plan.backend);
  // A plan that left the namespace probe out for a join builds nothing unprobed: the
  // instance went, or gives way, since the plan was made.
  if (plan.join_unprobed && start != Start::Join) throw ViewGone{};
  switch (start) {
    case Start::Refuse: throw_refused(plan, *running);
    case Start::ReplaceIdle:
      // Nothing runs in it: it goes (its view torn down) and this launch builds its own.
      // A ptrace launch goes on beside one that still runs, as it always has.
      if (!end_idle_instance(plan.sandbox, *running) && plan.backend != Backend::Ptrace) throw_refused(plan, *running);
      break;
    case Start::Join:
      if (const std::optional<int> status =
              run_joined(*running, [&] { exec_app(plan); }, [&] { sandbox_lock.reset(); }, release_lock, terminal)) {
        exit_like(*status);
      }
      // An instance that exited since it was found leaves a view nobody holds: build
      // anew, after the probe if the plan left it out for the join.
      if (plan.join_unprobed) throw ViewGone{};
      break;
    case Start::Build: break;
  }
  write_state(plan.sandbox, plan.state);
  make_sandbox_dirs(plan);
  copy_up_files(plan.sandbox, plan.mounts.copy_ups);
  const std::vector<int> host_side = prepare_host_side(plan);
  // Held by this process, which supervises the app under ptrace, until it is done.
  const UniqueFd in_use = plan.backend == Backend::Ptrace ? hold_sandbox_in_use(plan.sandbox) : UniqueFd();
  exit_like(run_backend(plan, InitLifetime::UntilEmpty, [&](pid_t init) {
    // A ptrace launch has no namespaces another launch could join; it records no
    // instance, and each launch supervises its own processes over the shared sandbox.
    if (plan.backend == Backend::Namespaces) record_instance(plan.sandbox, plan.view_id, init, plan.package_root);
    release_lock(init);
  }, host_side, terminal));
}

}  // namespace appv
