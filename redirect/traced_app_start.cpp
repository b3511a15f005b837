#include "redirect/traced_app_start.h"

#include <linux/ptrace.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "base/fd_passing.h"
#include "base/raw_syscall.h"
#include "redirect/exec.h"
#include "redirect/privileges.h"

namespace appv {
namespace {

// The child's stack: its own frames, and below its stack pointer what the supervisor
// writes there when it rewrites the exec (Supervisor::exec): a pointer for each
// argument and a few more, and at most every argument again as a new string with the
// loader's paths, each 16-byte aligned. Sized from the arguments, so that a small
// RLIMIT_AS still has room (pages are backed only where touched); a guard page below
// (PROT_NONE) faults where anything ran past it.
constexpr size_t kGuardSize = 4096;
size_t stack_size_for(const std::vector<std::string>& argv) {
  size_t bytes = size_t{64} << 10;  // the child's frames, and the red zone
  for (const std::string& a : argv) bytes += a.size() + 1 + 8 + 16 + 8;
  bytes += 8 * (4096 + 64);  // the loader's own arguments: paths, --argv0
  const size_t page = 4096;
  return (bytes + page - 1) / page * page;
}

constexpr int kRefusedExit = 121;  // the supervisor could not seize it
constexpr int kFailedExit = 122;   // a step failed: the supervisor reads which

}  // namespace

TracedAppStart::TracedAppStart(const LaunchPlan& plan, const Translation& cwd, TraceFilter filter,
                               int listener_socket, const SeizeGate& gate)
    : program_(plan.program),
      cwd_real_(cwd.error == 0 ? cwd.real : std::string()),
      cwd_error_(cwd.error),
      stack_size_(kGuardSize + stack_size_for(plan.argv)),
      filter_(std::move(filter)),
      listener_socket_(listener_socket),
      gate_read_(gate.read_end()),
      gate_write_(gate.write_end()) {
  for (const std::string& a : plan.argv) argv_.push_back(const_cast<char*>(a.c_str()));
  argv_.push_back(nullptr);
  for (const std::string& e : plan.env) env_.push_back(const_cast<char*>(e.c_str()));
  env_.push_back(nullptr);
}

TracedAppStart::~TracedAppStart() {
  if (running_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
    }
  }
  if (stack_) ::munmap(stack_, stack_size_);
}

pid_t TracedAppStart::start() {
  void* stack = ::mmap(nullptr, stack_size_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) throw_sys("cannot map a stack for", "the app's process", errno, Exit::Environment);
  stack_ = stack;
  if (::mprotect(stack_, kGuardSize, PROT_NONE) != 0) {
    throw_sys("cannot protect the guard page of", "the app's stack", errno, Exit::Environment);
  }
  struct sigaction chld {};
  if (::sigaction(SIGCHLD, nullptr, &chld) == 0 && chld.sa_handler == SIG_IGN) {
    ignores_sigchld_ = true;
    ::signal(SIGCHLD, SIG_DFL);
  }
  sigset_t all;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &app_mask_);
  char* top = static_cast<char*>(stack_) + stack_size_;
  const pid_t pid = ::clone(&TracedAppStart::child_main, top, CLONE_VM | SIGCHLD, this);
  const int err = errno;
  ::pthread_sigmask(SIG_SETMASK, &app_mask_, nullptr);
  if (pid < 0) throw_sys("cannot start", "the app's process", err, Exit::Environment);
  pid_ = pid;
  running_ = true;
  return pid;
}

// Raw system calls only from here to the exec (see the header); not instrumented by
// the sanitizers, whose runtime keeps per-thread state the child would share.
APPV_CLONE_VM_CHILD int TracedAppStart::child_main(void* self) {
  static_cast<TracedAppStart*>(self)->run_child();
}

APPV_CLONE_VM_CHILD void TracedAppStart::fail(Step step, long err) {
  failed_errno_.store(static_cast<int>(err), std::memory_order_relaxed);
  failed_step_.store(static_cast<int>(step), std::memory_order_release);
  for (;;) raw_syscall(SYS_exit_group, kFailedExit);
}

APPV_CLONE_VM_CHILD void TracedAppStart::run_child() {
  // The gate: seized by the supervisor, or its end closed without a byte.
  raw_syscall(SYS_close, gate_write_);
  char byte = 0;
  long n;
  while ((n = raw_syscall(SYS_read, gate_read_, reinterpret_cast<long>(&byte), 1)) == -EINTR) {
  }
  if (n != 1) {
    for (;;) raw_syscall(SYS_exit_group, kRefusedExit);
  }
  raw_syscall(SYS_close, gate_read_);

  // The working directory, or "/" where it cannot be entered (the supervisor warns).
  long r = -1;
  int left = cwd_error_;
  if (cwd_error_ == 0 && !cwd_real_.empty()) {
    r = raw_syscall(SYS_chdir, reinterpret_cast<long>(cwd_real_.c_str()));
    if (r < 0) left = static_cast<int>(-r);
  }
  if (r != 0) {
    left_cwd_.store(left, std::memory_order_relaxed);
    if (const long root = raw_syscall(SYS_chdir, reinterpret_cast<long>("/")); root < 0) fail(Step::EnterRoot, -root);
  }

  // No capability, and none to be gained: root's bounding set was emptied before the
  // clone (empty_bounding_set).
  if (const CapabilityDrop drop = drop_user_capabilities(); drop.step != CapabilityDrop::Step::None) {
    failed_capability_step_.store(static_cast<int>(drop.step), std::memory_order_relaxed);
    fail(Step::Capabilities, drop.err);
  }

  // The filter, and its listener sent before the stop, so that the supervisor has it
  // when the stop is reported (none where the kernel refused one: a message without).
  int listener = -1;
  if (const int err = load_trace_filter(filter_, listener_socket_ >= 0 ? &listener : nullptr)) fail(Step::Filter, err);
  if (listener_socket_ >= 0) {
    if (const int err = send_fd_raw(listener_socket_, listener)) fail(Step::PassListener, err);
    raw_syscall(SYS_close, listener);
    raw_syscall(SYS_close, listener_socket_);
  }

  if (ignores_sigchld_) {
    // The kernel's struct sigaction: handler, flags, restorer, mask.
    const unsigned long ignore[4] = {reinterpret_cast<unsigned long>(SIG_IGN), 0, 0, 0};
    if (r = raw_syscall(SYS_rt_sigaction, SIGCHLD, reinterpret_cast<long>(ignore), 0, 8); r < 0) fail(Step::Signals, -r);
  }

  // The supervisor sets its options at this stop; the filter stops no call before the
  // exec, the first call the supervisor rewrites (the view's loader runs it).
  raw_syscall(SYS_kill, raw_syscall(SYS_getpid), SIGSTOP);
  r = raw_syscall(SYS_execve, reinterpret_cast<long>(program_.c_str()), reinterpret_cast<long>(argv_.data()),
                  reinterpret_cast<long>(env_.data()));
  fail(Step::Exec, -r);
}

void TracedAppStart::restore_signal_mask(pid_t pid) const {
  // The kernel's sigset_t is 8 bytes, the first of glibc's.
  if (ptrace_call(PTRACE_SETSIGMASK, pid, reinterpret_cast<void*>(sizeof(uint64_t)),
                  const_cast<sigset_t*>(&app_mask_)) != 0) {
    const int err = errno;
    ::kill(pid, SIGKILL);
    throw_sys("cannot restore the signal mask of", "the app", err, Exit::Environment);
  }
}

void TracedAppStart::warn_if_working_dir_left(const std::string& shown) const {
  if (const int left = left_cwd_.load(std::memory_order_relaxed); left >= 0) warn_working_dir_left(shown, left);
}

void TracedAppStart::throw_failure() const {
  const Step step = static_cast<Step>(failed_step_.load(std::memory_order_acquire));
  const int err = failed_errno_.load(std::memory_order_relaxed);
  switch (step) {
    case Step::None: return;
    case Step::EnterRoot: throw_sys("cannot enter", "/", err);
    case Step::Capabilities:
      CapabilityDrop{static_cast<CapabilityDrop::Step>(failed_capability_step_.load(std::memory_order_relaxed)), err}
          .throw_if_failed();
      return;
    case Step::Filter:
      throw Error(Exit::Environment, fmt::format("cannot load the supervisor's seccomp filter: {}", errno_text(err)));
    case Step::PassListener: throw_sys("cannot pass", "the seccomp listener to the supervisor", err);
    case Step::Signals: throw_sys("cannot ignore SIGCHLD again in", "the app's process", err, Exit::Environment);
    case Step::Exec:
      if (err == ENOENT) {
        throw Error(Exit::NotFound, fmt::format("cannot run '{}': {}: {}", program_, advice_for(Attempt::Exec, err),
                                                errno_text(err)));
      }
      throw Error(Exit::CannotExecute, fmt::format("cannot run '{}': {}", program_, errno_text(err)));
  }
}

}  // namespace appv
