// An instance that lingers: once its app and every process that joined it have ended,
// the init of its PID namespace (redirect/pid_namespace.h) keeps the view up for a
// short time (APPV_LINGER_MS), so that the next launch of the app joins it instead of
// building the view again. Nothing of the app runs in it then: it is idle, and a
// change of the sandbox from outside, or a launch that needs another view, asks it to
// leave at once instead of being refused.
#pragma once

#include <sys/types.h>

#include <string>

#include "vfs/sandbox.h"

namespace appv {

// The signal an instance's init takes as "leave now if nothing runs in your
// namespace". A real-time signal appv's own children are never sent otherwise
// (redirect/child_channel.h SignalForwarding passes on none of them); init keeps it
// blocked and waits for it, so the kernel queues it for pid 1 of a PID namespace,
// which it would otherwise drop.
int leave_when_idle_signal();

enum class Activity {
  Idle,         // nothing but init runs in the namespace
  Running,      // something else does, or its /proc cannot be read (as before instances lingered)
  Unreachable,  // this process may not look into it (EACCES, EPERM): Instance::unreachable
};

// What runs in the PID namespace whose init is `init` (host numbering): the
// namespace's own /proc, seen through init's root, lists init alone or other processes
// too. A hint only: the answer may be stale as soon as it is given, unless the
// sandbox's lock is held (a launch joins only with it held); init itself decides
// again when asked to leave.
Activity namespace_activity(pid_t init);

// Asks the idle `instance` of `sandbox` to leave (leave_when_idle_signal) and waits
// until its init has ended, which is after the kernel tore its view down; then
// forgets its record (forget_instance). Call with the sandbox's lock held, after
// running_instance() found it idle or unreachable. Returns false, having ended
// nothing, if it does not leave within a few seconds: a process runs in it after all.
// Throws Exit::Io if it cannot be watched (pidfd_open) or signalled.
bool end_idle_instance(const std::string& sandbox, const Instance& instance);

}  // namespace appv
