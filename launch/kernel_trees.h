// The kernel's trees in the view — /proc, /dev and /sys — which the view's rules show
// from the host (DESIGN.md's defaults) and which the launch narrows so the app holds
// no more than its own processes and the devices it was granted. Pure: the host is
// asked through the TreeProbe.
#pragma once

#include "launch/launch_plan.h"

namespace appv {

// Rewrites the host binds of /proc, /dev and /sys in plan.mounts.ops, in place:
// - /proc becomes a new proc of the app's own PID namespace (MountOp::Type::Proc):
//   host processes are not listed, and /proc/<pid>/root of a host process cannot be
//   reached; its kernel-wide files are read-only;
// - /sys is bound read-only (a root launch could otherwise write kernel attributes);
// - /dev, unless the permission "devices" is granted, becomes a tmpfs holding only
//   null, zero, full, random, urandom, tty, a new devpts instance and its ptmx, the
//   caller's terminal `tty` (a host path, "" for none) at /dev/console, log (syslog),
//   the fd/stdin/stdout/stderr links, a private shm, and dri when the permission "dri"
//   is granted; no disks, no input devices, no other terminal of the host.
// A rule that changed one of these paths (no plain host bind there) is left alone.
void plan_kernel_trees(const TreeProbe& host, const std::string& tty, LaunchPlan& plan);

}  // namespace appv
