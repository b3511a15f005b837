#include "redirect/apply.h"

#include <unistd.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "redirect/child.h"
#include "redirect/dbus_proxy.h"
#include "redirect/exec.h"
#include "redirect/instance.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "redirect/network.h"
#include "vfs/copy_up.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"

namespace appv {
namespace {

// The `ns` backend: user (unless root) and mount namespaces, then the view.
void enter_ns_view(const LaunchPlan& plan) {
  NamespaceState ns = enter_namespaces();
  if (plan.own_network) enter_own_network();  // permission `network` not granted
  enter_view(plan.mounts, ns);
}

void enter_backend(const LaunchPlan& plan) {
  switch (plan.backend) {
    case Backend::Namespaces: enter_ns_view(plan); return;
  }
  throw Error(Exit::Internal, "unknown backend");
}

// What the permissions need on the host side, before any namespace: the session
// bus proxy, ready, its pipe held by the app's tree (launch/permissions_plan.h).
void prepare_host_side(const LaunchPlan& plan) {
  if (plan.session_bus) start_bus_proxy(*plan.session_bus);
}

[[noreturn]] void exec_app(const LaunchPlan& plan) { exec_entry(plan.program, plan.argv, plan.env, plan.cwd); }

}  // namespace

int apply_in_child(const LaunchPlan& plan) {
  make_dirs(plan.sandboxes, 0700);
  remove_stale_work_dirs(plan.sandboxes);
  make_dirs(plan.sandbox, 0700);
  make_plan_dirs(plan.sandbox, plan.mounts.dirs_to_create, plan.package_root);
  prepare_host_side(plan);
  copy_up_files(plan.mounts.copy_ups);
  return run_child([&] {
    enter_backend(plan);
    exec_app(plan);
  });
}

void apply(const LaunchPlan& plan) {
  if (plan.cleanup == Cleanup::RemoveOnExit) {
    int status = 0;
    try {
      status = apply_in_child(plan);
    } catch (...) {
      remove_tree(plan.sandbox);
      throw;
    }
    remove_tree(plan.sandbox);
    exit_like(status);
    ::_exit(shell_status(status));
  }
  if (plan.kind == LaunchKind::InstallCapture) throw Error(Exit::Internal, "install capture runs through apply_in_child");

  // Launches of one app enter its view one at a time. The lock's fd is close-on-exec,
  // so it is released the moment the app starts; taking it first also creates the
  // sandbox private (0700) before anything is written into it.
  UniqueFd sandbox_lock = lock_sandbox(plan.sandbox);
  const std::optional<Instance> running = running_instance(plan.sandbox);
  switch (decide_start(running, plan.view_id)) {
    case Start::Refuse: throw_refused(plan, *running);
    case Start::Join:
      // An instance that exited since it was found leaves a view nobody holds: build anew.
      if (join_instance(*running)) exec_app(plan);
      break;
    case Start::Build: break;
  }
  write_state(plan.sandbox, plan.state);
  make_plan_dirs(plan.sandbox, plan.mounts.dirs_to_create, plan.package_root);
  copy_up_files(plan.mounts.copy_ups);
  record_instance(plan.sandbox, plan.view_id);
  prepare_host_side(plan);
  enter_backend(plan);
  exec_app(plan);
}

}  // namespace appv
