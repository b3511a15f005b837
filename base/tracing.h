// The ptrace machinery appv's two tracers share: trace capture (packager/tracer.h),
// which records the paths a run uses, and the namespace-free backend
// (redirect/ptrace_backend.h), which redirects them. A seccomp filter makes only the
// listed system calls stop the tracee (PRoot's acceleration), so everything else runs
// at full speed; the tracer follows every fork, clone and exec.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/user_notification.h"

namespace appv {

// The raw ptrace(2) system call (glibc's <sys/ptrace.h> clashes with <linux/ptrace.h>).
long ptrace_call(long request, pid_t pid, void* addr, void* data);

// A system call the filter stops. For *at calls whose flags argument may hold
// AT_EMPTY_PATH (fstat through newfstatat or statx), `at_flags_arg` names it: those
// name an open file, not a path, and are let through without a stop. `notify`: the
// call goes to the supervisor as a seccomp user notification (base/user_notification.h)
// when the filter has a listener, else it stops for the tracer like the rest.
// `nonzero_arg`: the call stops only when that argument is not 0 (sendto with a
// destination address; send() is sendto without one and must not stop).
struct StoppedCall {
  long nr;
  int at_flags_arg = -1;
  bool notify = false;
  int nonzero_arg = -1;
  // A `notify` call whose argument `traced_flags_arg` has a bit of `traced_flags`
  // stops for the tracer instead (an O_PATH open: the kernel installs no O_PATH file
  // for a supervisor, SECCOMP_IOCTL_NOTIF_ADDFD answers EBADF).
  int traced_flags_arg = -1;
  uint32_t traced_flags = 0;
};

// In the child about to be traced: sets no_new_privs and loads a filter that answers
// SECCOMP_RET_TRACE for `calls` (native ABI only; other ABIs pass) and ALLOW for the
// rest. With `listener`, the calls marked `notify` answer SECCOMP_RET_USER_NOTIF
// instead and *listener receives the filter's listener descriptor (close-on-exec);
// where the kernel refuses a listener (before 5.0, or one already in the process's
// filters: EBUSY) the filter is loaded without one and *listener is -1. Returns 0, or
// the errno of the refusal.
// `first`, if given, runs at the head of the same program: each SECCOMP_RET_ALLOW in it
// goes on to the trace rules, every other action it takes stands. Its own jumps must
// stay inside it. One filter instead of two: loading one costs the kernel its
// compilation and a pass over every call number, and each call runs every filter.
int install_trace_filter(const std::vector<StoppedCall>& calls, int* listener = nullptr,
                         const std::vector<sock_filter>& first = {});

// install_trace_filter in two steps, for a child that may not allocate before it loads
// the filter (one cloned with CLONE_VM): the programs made beforehand (with the
// listener's, if asked for, and the one without, loaded where the kernel refuses a
// listener), then loaded with raw system calls only: no allocation, errno untouched.
struct TraceFilter {
  std::vector<sock_filter> with_listener;
  std::vector<sock_filter> without_listener;
};
TraceFilter make_trace_filter(const std::vector<StoppedCall>& calls, bool with_listener,
                              const std::vector<sock_filter>& first = {});
int load_trace_filter(const TraceFilter& filter, int* listener);

// Two seccomp programs as one, `a` then `b`: each SECCOMP_RET_ALLOW of `a` goes on to
// `b`, every other action of `a` stands. The same outcome as `b` loaded before `a` as
// filters of their own where no call gets two different actions of one precedence
// from them (the kernel takes the most recently loaded then). Jumps inside `a` stay.
std::vector<sock_filter> chain_filters(std::vector<sock_filter> a, const std::vector<sock_filter>& b);

// Restarts a tracee (seized: PTRACE_SEIZE) from a stop that is not one of its calls or
// execs, `status` as waitpid gave it, as the trace does: a group-stop (PTRACE_EVENT_STOP
// with a stopping signal) is held with PTRACE_LISTEN until a SIGCONT reports again;
// another event-stop (a new tracee attached, its group continued, a fork, vfork or
// clone event) is continued; a stopping signal is dropped where a SIGCONT waits in the
// tracee's queues (PTRACE_PEEKSIGINFO; sent after the stop, it came last: signal(7));
// any other signal is delivered. Returns which of the three it was.
enum class Restart { GroupStopHeld, EventContinued, SignalPassed };
Restart restart_tracee(pid_t pid, int status);

// The tracee's memory, read and written with process_vm_readv/writev.
// A NUL-terminated string of at most 16 KiB ("" if unreadable or longer).
std::string read_tracee_string(pid_t pid, uint64_t addr);
bool read_tracee_u64(pid_t pid, uint64_t addr, uint64_t& value);
bool read_tracee(pid_t pid, uint64_t addr, void* data, size_t size);  // all `size` bytes, or false
bool write_tracee(pid_t pid, uint64_t addr, const void* data, size_t size);

// Tracer and tracees on one CPU while tracing: each stop is a wake-up of the other
// side, and a wake-up across CPUs (an inter-processor interrupt, costly in a VM) cost
// three times as much as a local switch here. Restores the caller's CPUs on exit.
class OneCpu {
 public:
  OneCpu();
  ~OneCpu();
  OneCpu(const OneCpu&) = delete;
  OneCpu& operator=(const OneCpu&) = delete;

 private:
  unsigned char old_[128];  // a cpu_set_t
  bool have_ = false;
};

// Attaching. The tracee is seized (PTRACE_SEIZE, not PTRACE_TRACEME) so that a
// stopping signal's group-stop is told apart from the signal's delivery: a stopped app
// stays stopped until SIGCONT, and its parent sees it stopped (trace_until_done).
// The gate is made before the fork: the child waits at it until its parent has seized
// it, so that nothing it does goes untraced.
class SeizeGate {
 public:
  SeizeGate();  // throws (Exit::Environment) if no pipe can be made
  ~SeizeGate();
  SeizeGate(const SeizeGate&) = delete;
  SeizeGate& operator=(const SeizeGate&) = delete;
  // In the forked child, first: false if the parent could not seize it (the child
  // should exit).
  bool wait_in_child();
  // The pipe's ends, for a child cloned with CLONE_VM: it shares this object with the
  // parent, whose seize() changes it, so it takes the numbers before the clone, closes
  // its own copy of the write end and waits for a byte on the read end itself.
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  // In the parent: seizes `child` with the trace options (seccomp stops, forks,
  // vforks, clones and execs followed, every tracee killed if the tracer dies), then
  // lets it go on. 0, or the errno of PTRACE_SEIZE (EPERM where ptrace is refused:
  // Yama's ptrace_scope=3, a container's seccomp profile); the child then exits.
  int seize(pid_t child);

 private:
  int fds_[2] = {-1, -1};
};

// Waits for and restarts every tracee until none is left: `on_seccomp(pid)` runs at
// each seccomp stop (the tracee is restarted after it), `on_exec(pid)` after an exec;
// a tracee's own signals are delivered to it, and a group-stop (SIGSTOP, SIGTSTP,
// SIGTTIN, SIGTTOU) holds until a SIGCONT, as without a tracer. A stop sent to the
// whole job (Ctrl-Z, a background job's read or write, kill -TSTP %1) is noted by the
// tracer meanwhile rather than taken: when it stops `root` too, the tracer stops itself
// with the same signal, so that the shell that waits for it sees the job stopped, and
// continues `root` when it is continued (fg, bg). `started` collects every process
// and thread seen. Returns the raw wait status of `root`.
// With `listener` (a seccomp filter's), `on_notification` runs for each notification
// it receives: the first `served_inline` on this thread, between the stops (an epoll
// set over the listener and a signalfd for SIGCHLD), the rest on a thread of its own
// blocked in the listener's receive while this one waits for the stops (a round trip
// ~1 µs shorter, for ~0.1 ms to start the thread). The handlers never run at once
// (they share the caller's state). What `on_notification` throws is thrown here;
// thrown on the thread, after the call it was handling has failed with EIO.
int trace_until_done(pid_t root, const std::function<void(pid_t)>& on_seccomp,
                     const std::function<void(pid_t)>& on_exec, std::set<pid_t>& started,
                     UserNotifications* listener = nullptr,
                     const std::function<void(const UserNotification&)>& on_notification = {},
                     unsigned served_inline = 100);

}  // namespace appv
