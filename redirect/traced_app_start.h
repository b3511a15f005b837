// The app's process under the ptrace backend, started without a fork: cloned with
// CLONE_VM onto a stack of its own, it shares the supervisor's memory until its exec.
// A fork copies the supervisor's page tables, and then every page either side writes
// before the exec is copied again, one page fault each; on a VM where a fault costs
// ~10 µs that was about a millisecond of every launch. Internal to redirect/.
//
// What the child does between the clone and its exec (wait to be seized, enter the
// working directory, drop every capability, load the filter, pass its listener, stop
// for the tracer, exec) is prepared here beforehand: sharing the supervisor's memory,
// thread-local storage included, it must not allocate, unwind or set errno, so it
// makes raw system calls only and writes what failed into this object, which the
// supervisor reads once the child has stopped or exited.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <string>
#include <vector>

#include "base/tracing.h"
#include "launch/launch_plan.h"
#include "vfs/path_translator.h"

namespace appv {

class TracedAppStart {
 public:
  // `cwd`: the working directory's translation (its real directory, or the error that
  // kept it from having one); `listener_socket`: where the child sends the filter's
  // listener (-1: asks for none); `gate`: the child waits on it until it is seized.
  TracedAppStart(const LaunchPlan& plan, const Translation& cwd, TraceFilter filter, int listener_socket,
                 const SeizeGate& gate);
  // If the child may still run on this object's memory (neither exec'd nor reaped),
  // it is killed and reaped first.
  ~TracedAppStart();
  TracedAppStart(const TracedAppStart&) = delete;
  TracedAppStart& operator=(const TracedAppStart&) = delete;

  // Starts the child with every signal blocked: no handler of the supervisor's may
  // run on the shared memory. The caller's mask is the app's; the tracer restores it
  // at the exec (restore_signal_mask). A SIGCHLD the caller ignores is the default
  // again for the supervisor, from before the clone: the kernel neither reports a
  // tracee's stops nor keeps a child's exit status while it is ignored. The child
  // ignores it again before its exec, as the app would natively. Throws
  // Exit::Environment if it cannot.
  pid_t start();
  // The child exec'd (its first exec event) or was reaped: nothing of it runs on the
  // shared memory any more.
  void done() { running_ = false; }
  // At the child's exec event (stopped, before the app's first instruction): the mask
  // the caller had when start() was called.
  void restore_signal_mask(pid_t pid) const;
  // After the child stopped: the warning enter_working_dir gives where the working
  // directory could not be entered (`shown`, the directory in the view).
  void warn_if_working_dir_left(const std::string& shown) const;
  // After the child exited: throws what failed in it, as the step that failed would
  // have thrown it; returns if nothing did.
  void throw_failure() const;

  // What the child did not get through, written by it before it exits.
  enum class Step : int { None, EnterRoot, Capabilities, Filter, PassListener, Signals, Exec };

 private:
  [[noreturn]] void run_child();
  static int child_main(void* self);
  [[noreturn]] void fail(Step step, long err);

  // Prepared before the clone; only read by the child.
  std::string program_;
  std::vector<char*> argv_, env_;
  std::string cwd_real_;
  int cwd_error_ = 0;
  size_t stack_size_ = 0;
  TraceFilter filter_;
  int listener_socket_ = -1;
  int gate_read_ = -1, gate_write_ = -1;
  void* stack_ = nullptr;
  sigset_t app_mask_{};
  bool ignores_sigchld_ = false;  // the caller's SIGCHLD is SIG_IGN
  pid_t pid_ = -1;
  bool running_ = false;
  // Written by the child.
  std::atomic<int> left_cwd_{-1};  // errno of the working directory left for "/" (0: none found), -1: entered
  std::atomic<int> failed_step_{0};
  std::atomic<int> failed_errno_{0};
  std::atomic<int> failed_capability_step_{0};  // a CapabilityDrop::Step, for Step::Capabilities
};

}  // namespace appv
