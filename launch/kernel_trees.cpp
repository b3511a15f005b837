#include "launch/kernel_trees.h"

#include <algorithm>

namespace appv {
namespace {

// The host bind the view's "host" rule made for `path`, if it is still plain.
std::vector<MountOp>::iterator host_bind(std::vector<MountOp>& ops, const std::string& path) {
  return std::find_if(ops.begin(), ops.end(),
                      [&](const MountOp& op) { return op.type == MountOp::Type::Bind && op.target == path && op.source == path; });
}

// bubblewrap's --dev: the app's own devpts instance (the host's pts holds every
// terminal of the user: an app could read what is typed into another one), and the
// caller's terminal at /dev/console, where ttyname(3) finds it.
std::vector<MountOp> minimal_dev(const TreeProbe& host, const std::string& tty, bool dri) {
  const std::string why = "the basic devices only (permission devices: not granted)";
  std::vector<MountOp> ops{MountOp::tmpfs("/dev", "mode=0755", why)};
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string path = std::string("/dev/") + node;
    if (host.kind(path) == NodeKind::Other) ops.push_back(MountOp::bind(path, path, why));
  }
  ops.push_back(MountOp::devpts("/dev/pts", "the app's own pseudo-terminals"));
  ops.push_back(MountOp::symlink("/dev/ptmx", "pts/ptmx", why));
  if (!tty.empty() && tty.rfind("/dev/", 0) == 0 && host.kind(tty) == NodeKind::Other) {
    ops.push_back(MountOp::bind("/dev/console", tty, "the terminal appv was started from"));
  }
  ops.push_back(MountOp::tmpfs("/dev/shm", "mode=1777", "a private /dev/shm"));
  // syslog(3): Debian's /dev/log is a link into /run, which the view shows.
  switch (host.kind("/dev/log")) {
    case NodeKind::Symlink: ops.push_back(MountOp::symlink("/dev/log", host.read_link("/dev/log"), why)); break;
    case NodeKind::Other: ops.push_back(MountOp::bind("/dev/log", "/dev/log", why)); break;
    default: break;
  }
  ops.push_back(MountOp::symlink("/dev/fd", "/proc/self/fd", why));
  ops.push_back(MountOp::symlink("/dev/stdin", "/proc/self/fd/0", why));
  ops.push_back(MountOp::symlink("/dev/stdout", "/proc/self/fd/1", why));
  ops.push_back(MountOp::symlink("/dev/stderr", "/proc/self/fd/2", why));
  if (dri && host.kind("/dev/dri") == NodeKind::Dir) {
    ops.push_back(MountOp::bind("/dev/dri", "/dev/dri", "permission dri: granted"));
  }
  return ops;
}

}  // namespace

void plan_kernel_trees(const TreeProbe& host, const std::string& tty, LaunchPlan& plan) {
  std::vector<MountOp>& ops = plan.mounts.ops;
  if (auto it = host_bind(ops, "/proc"); it != ops.end()) {
    *it = MountOp::proc("/proc", "the app's own PID namespace; kernel-wide files read-only");
  }
  if (auto it = host_bind(ops, "/sys"); it != ops.end()) {
    *it = MountOp::bind_read_only("/sys", "/sys", "kernel attributes: read-only");
  }
  if (auto it = host_bind(ops, "/dev"); it != ops.end() && !plan.permissions.granted("devices")) {
    std::vector<MountOp> dev = minimal_dev(host, tty, plan.permissions.granted("dri"));
    it = ops.erase(it);
    ops.insert(it, dev.begin(), dev.end());
  }
}

}  // namespace appv
