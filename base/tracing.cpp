#include "base/tracing.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "base/job_control.h"
#include "base/raw_syscall.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "appv's tracers support x86_64 and aarch64"
#endif

static_assert(sizeof(cpu_set_t) <= 128, "OneCpu keeps a cpu_set_t in 128 bytes");

}  // namespace

long ptrace_call(long request, pid_t pid, void* addr, void* data) { return ::syscall(SYS_ptrace, request, pid, addr, data); }

namespace {

// The instructions for one stopped call: "nr == c.nr ? <its action> : skip", every
// path inside returning. A holds nr when it starts and, past it, still does.
void append_call(std::vector<sock_filter>& f, const StoppedCall& c, uint32_t action) {
  std::vector<sock_filter> body;
  if (c.nonzero_arg >= 0) {
    // Either word of the argument non-zero -> the action, else ALLOW.
    const uint32_t low = static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * c.nonzero_arg);
    body = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low + 4), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), BPF_STMT(BPF_RET | BPF_K, action)};
  } else if (action == SECCOMP_RET_USER_NOTIF && c.traced_flags_arg >= 0) {
    // The flags' low word has one of `traced_flags` -> TRACE.
    body = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * c.traced_flags_arg)),
            BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, c.traced_flags, 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
            BPF_STMT(BPF_RET | BPF_K, action)};
  } else if (c.at_flags_arg >= 0) {
    // The flags' low word (little-endian) has AT_EMPTY_PATH -> ALLOW.
    body = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * c.at_flags_arg)),
            BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH, 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_RET | BPF_K, action)};
  } else {
    body = {BPF_STMT(BPF_RET | BPF_K, action)};
  }
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(c.nr), 0, static_cast<uint8_t>(body.size())));
  f.insert(f.end(), body.begin(), body.end());
}

// A binary search over `calls` (sorted by number) for nr in A: a few comparisons per
// system call instead of one per stopped call, for the app's every call that reaches
// this filter and for the kernel, which runs the filter for every number when it is
// loaded (its cache of calls always allowed). Small ranges are a chain of
// append_call blocks ending in ALLOW; every path returns.
void append_search(std::vector<sock_filter>& f, const std::vector<StoppedCall>& calls, size_t from, size_t to,
                   const std::function<uint32_t(const StoppedCall&)>& action_of) {
  constexpr size_t kChain = 4;
  if (to - from <= kChain) {
    for (size_t i = from; i < to; ++i) append_call(f, calls[i], action_of(calls[i]));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return;
  }
  const size_t mid = from + (to - from) / 2;
  // nr >= calls[mid].nr: jump over the lower half (BPF_JA: a 32-bit offset).
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(calls[mid].nr), 0, 1));
  const size_t ja = f.size();
  f.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
  append_search(f, calls, from, mid, action_of);
  f[ja].k = static_cast<uint32_t>(f.size() - ja - 1);
  append_search(f, calls, mid, to, action_of);
}

}  // namespace

std::vector<sock_filter> chain_filters(std::vector<sock_filter> a, const std::vector<sock_filter>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    // ALLOW -> on to `b`, right after `a` (BPF_JA: a 32-bit offset).
    if (a[i].code == (BPF_RET | BPF_K) && a[i].k == SECCOMP_RET_ALLOW) {
      a[i] = BPF_STMT(BPF_JMP | BPF_JA, static_cast<uint32_t>(a.size() - i - 1));
    }
  }
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TraceFilter make_trace_filter(const std::vector<StoppedCall>& calls, bool with_listener,
                              const std::vector<sock_filter>& first) {
  std::vector<StoppedCall> sorted = calls;
  std::sort(sorted.begin(), sorted.end(), [](const StoppedCall& a, const StoppedCall& b) { return a.nr < b.nr; });
  const auto filter_for = [&](bool notify) {
    std::vector<sock_filter> f;
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    append_search(f, sorted, 0, sorted.size(), [&](const StoppedCall& c) -> uint32_t {
      return notify && c.notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_TRACE;
    });
    return first.empty() ? f : chain_filters(first, f);
  };
  TraceFilter out;
  if (with_listener) out.with_listener = filter_for(true);
  out.without_listener = filter_for(false);
  return out;
}

// Not instrumented by the sanitizers: a child cloned with CLONE_VM calls it, and their
// runtime keeps per-thread state that child would share with its parent.
APPV_CLONE_VM_CHILD int load_trace_filter(const TraceFilter& filter, int* listener) {
  if (listener) *listener = -1;
  if (const long r = raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); r < 0) return static_cast<int>(-r);
  if (listener && !filter.with_listener.empty()) {
    sock_fprog prog{static_cast<unsigned short>(filter.with_listener.size()),
                    const_cast<sock_filter*>(filter.with_listener.data())};
    const long fd = raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                reinterpret_cast<long>(&prog));
    if (fd >= 0) {
      *listener = static_cast<int>(fd);
      return 0;
    }
    // Refused: every call stops for the tracer instead.
  }
  sock_fprog prog{static_cast<unsigned short>(filter.without_listener.size()),
                  const_cast<sock_filter*>(filter.without_listener.data())};
  const long r = raw_syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, reinterpret_cast<long>(&prog));
  return r < 0 ? static_cast<int>(-r) : 0;
}

int install_trace_filter(const std::vector<StoppedCall>& calls, int* listener, const std::vector<sock_filter>& first) {
  return load_trace_filter(make_trace_filter(calls, listener != nullptr, first), listener);
}

std::string read_tracee_string(pid_t pid, uint64_t addr) {
  std::string out;
  char buf[4096];
  while (out.size() < 4096 * 4) {
    size_t chunk = 4096 - (addr % 4096);  // never cross into a page that may be unmapped
    iovec local{buf, chunk};
    iovec remote{reinterpret_cast<void*>(addr), chunk};
    ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return {};
    const void* nul = std::memchr(buf, 0, static_cast<size_t>(n));
    if (nul) return out.append(buf, static_cast<size_t>(static_cast<const char*>(nul) - buf));
    out.append(buf, static_cast<size_t>(n));
    addr += static_cast<uint64_t>(n);
  }
  return {};
}

bool read_tracee_u64(pid_t pid, uint64_t addr, uint64_t& value) {
  iovec local{&value, sizeof value};
  iovec remote{reinterpret_cast<void*>(addr), sizeof value};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof value;
}

bool read_tracee(pid_t pid, uint64_t addr, void* data, size_t size) {
  iovec local{data, size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

bool write_tracee(pid_t pid, uint64_t addr, const void* data, size_t size) {
  iovec local{const_cast<void*>(data), size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  return ::process_vm_writev(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

OneCpu::OneCpu() {
  cpu_set_t old;
  have_ = ::sched_getaffinity(0, sizeof old, &old) == 0;
  const int cpu = ::sched_getcpu();
  if (!have_ || cpu < 0) {
    have_ = false;
    return;
  }
  std::memcpy(old_, &old, sizeof old);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  have_ = ::sched_setaffinity(0, sizeof one, &one) == 0;
}

OneCpu::~OneCpu() {
  if (!have_) return;
  cpu_set_t old;
  std::memcpy(&old, old_, sizeof old);
  ::sched_setaffinity(0, sizeof old, &old);
}

SeizeGate::SeizeGate() {
  if (::pipe2(fds_, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe for the tracer", errno, Exit::Environment);
}

SeizeGate::~SeizeGate() {
  for (int& fd : fds_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

bool SeizeGate::wait_in_child() {
  ::close(fds_[1]);
  fds_[1] = -1;
  char byte = 0;
  ssize_t n;
  while ((n = ::read(fds_[0], &byte, 1)) < 0 && errno == EINTR) {
  }
  return n == 1;
}

int SeizeGate::seize(pid_t child) {
  ::close(fds_[0]);
  fds_[0] = -1;
  const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  const int err = ptrace_call(PTRACE_SEIZE, child, nullptr, reinterpret_cast<void*>(options)) == 0 ? 0 : errno;
  if (err == 0) (void)!::write(fds_[1], "g", 1);
  ::close(fds_[1]);  // without a byte: the child's wait ends, refused
  fds_[1] = -1;
  return err;
}

namespace {

// A stopping signal sent to the whole job (the terminal's Ctrl-Z, a background job's
// read or write, the shell's kill -TSTP %1, an app's kill(0, SIGTSTP)) reaches appv
// too: noted here while tracing, instead of stopping appv at once, which would leave
// the app's own stop undelivered. appv follows the app's stop when both came
// (TraceHandlers::follow_job_stop); a stop sent to the app alone is not followed, as
// whoever sent it continues the app alone, which must then run, not wait for a
// stopped appv.
volatile sig_atomic_t g_job_stop = 0;

void note_job_stop(int sig) { g_job_stop = sig; }

class JobStops {
 public:
  JobStops() {
    g_job_stop = 0;
    struct sigaction note {};
    note.sa_handler = note_job_stop;
    // No SA_RESTART: the tracer's blocking waitpid returns (EINTR) and notes the stop
    // when it comes, not at the next stop of a tracee, which may be long after (an
    // app making only notified calls), as the forgetting of a stop not followed counts
    // from when it was noted.
    note.sa_flags = 0;
    ::sigemptyset(&note.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &note, &old_[i]);
  }
  ~JobStops() {
    for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
  }
  JobStops(const JobStops&) = delete;
  JobStops& operator=(const JobStops&) = delete;

 private:
  static constexpr int kSignals[] = {SIGTSTP, SIGTTIN, SIGTTOU};
  struct sigaction old_[std::size(kSignals)];
};

}  // namespace

namespace {

bool stopping_signal(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

// Whether a SIGCONT waits in a stopped tracee's queues (its own or its process's).
bool sigcont_pending(pid_t pid) {
  siginfo_t infos[16];
  for (const unsigned long queue : {0ul, static_cast<unsigned long>(PTRACE_PEEKSIGINFO_SHARED)}) {
    for (ptrace_peeksiginfo_args args{0, static_cast<__u32>(queue), 16};; args.off += args.nr) {
      const long n = ptrace_call(PTRACE_PEEKSIGINFO, pid, &args, infos);
      for (long i = 0; i < n; ++i) {
        if (infos[i].si_signo == SIGCONT) return true;
      }
      if (n < static_cast<long>(args.nr)) break;
    }
  }
  return false;
}

}  // namespace

Restart restart_tracee(pid_t pid, int status) {
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  if (event == PTRACE_EVENT_STOP && stopping_signal(sig)) {
    ptrace_call(PTRACE_LISTEN, pid, nullptr, nullptr);
    return Restart::GroupStopHeld;
  }
  if (event != 0) {
    ptrace_call(PTRACE_CONT, pid, nullptr, nullptr);
    return Restart::EventContinued;
  }
  const long inject = stopping_signal(sig) && sigcont_pending(pid) ? 0 : sig;
  ptrace_call(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(inject));
  return Restart::SignalPassed;
}

namespace {

// One wait status of the trace: the tracee restarted after its stop is handled.
// False once nothing is left to wait for.
struct TraceHandlers {
  pid_t root;
  const std::function<void(pid_t)>& on_seccomp;
  const std::function<void(pid_t)>& on_exec;
  std::set<pid_t>& started;
  int root_status = 0;
  bool root_stopped = false;  // `root` is in a group-stop
  std::chrono::steady_clock::time_point job_stop_seen{};  // the clock's epoch: none seen

  // The job was stopped (g_job_stop) and the app with it: appv, which the caller's
  // shell waits for, stops too with the same signal so that the shell sees the job
  // stopped, and continues the app when it is continued (fg, bg: a SIGCONT to the
  // whole job wakes the app too, but appv alone may have been). A job stop the app
  // did not follow within a second (it caught the signal) is forgotten.
  void follow_job_stop() {
    const int sig = g_job_stop;
    if (sig == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (job_stop_seen == std::chrono::steady_clock::time_point{}) job_stop_seen = now;
    if (now - job_stop_seen > std::chrono::seconds(1)) {
      g_job_stop = 0;
      job_stop_seen = {};
      return;
    }
    if (!root_stopped) return;
    g_job_stop = 0;
    job_stop_seen = {};
    stop_with_job(::getpid(), sig);
    ::kill(root, SIGCONT);
  }

  void handle(pid_t pid, int st) {
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      if (pid == root) {
        root_status = st;
        root_stopped = false;
      }
      return;
    }
    if (!WIFSTOPPED(st)) return;
    const int sig = WSTOPSIG(st);
    const int event = st >> 16;
    started.insert(pid);
    if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
      on_seccomp(pid);
    } else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
      if (on_exec) on_exec(pid);
    } else {
      // A group-stop held, a new tracee or a continued group, a fork event, a signal.
      const Restart restart = restart_tracee(pid, st);
      if (pid == root && restart != Restart::SignalPassed) root_stopped = restart == Restart::GroupStopHeld;
      return;
    }
    ptrace_call(PTRACE_CONT, pid, nullptr, nullptr);
  }
};

// SIGCHLD blocked and read through a signalfd while alive; the old mask restored.
class ChildSignals {
 public:
  ChildSignals() {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (::sigprocmask(SIG_BLOCK, &chld, &old_) != 0) throw_sys("cannot block", "SIGCHLD", errno);
    fd_ = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0) {
      const int err = errno;
      ::sigprocmask(SIG_SETMASK, &old_, nullptr);
      throw_sys("cannot create", "a signalfd for SIGCHLD", err);
    }
  }
  ~ChildSignals() {
    ::close(fd_);
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  ChildSignals(const ChildSignals&) = delete;
  ChildSignals& operator=(const ChildSignals&) = delete;
  int fd() const { return fd_; }
  void drain() const {
    signalfd_siginfo info[8];
    while (::read(fd_, info, sizeof info) > 0) {
    }
  }

 private:
  sigset_t old_;
  int fd_ = -1;
};

// The listener served by a thread of its own, blocked in SECCOMP_IOCTL_NOTIF_RECV, while
// the caller's thread waits for the stops in waitpid. One wait each instead of an epoll
// set over both: a notified call then wakes the thread that receives it, where an epoll
// wake-up cost a second system call and its callback (~1 µs of a round trip of ~8 here;
// a `find` over Python's library makes ~330). The two take turns (turn()): the handlers
// share the supervisor.
// The thread blocks every signal, so that signals for appv reach the tracer's thread.
class NotificationThread {
 public:
  NotificationThread(int listener, const std::function<void(const UserNotification&)>& on_notification)
      : shared_(std::make_shared<Shared>()) {
    shared_->handler = &on_notification;
    UniqueFd own(::fcntl(listener, F_DUPFD_CLOEXEC, 0));
    if (!own) throw_sys("cannot duplicate", "the seccomp listener", errno);
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);  // inherited by the thread
    try {
      std::thread(serve, shared_, std::move(own)).detach();
    } catch (const std::system_error& e) {
      ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
      throw Error(Exit::Environment, fmt::format("cannot start the supervisor's thread: {}", e.what()));
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  // The thread ends when every process with the filter is gone (the listener hangs
  // up). It is waited for a second at most: a process the tracer could not see that
  // keeps the filter alive leaves it blocked, and then it is left behind, detached,
  // touching nothing of the caller's again (Shared::finished).
  ~NotificationThread() {
    std::unique_lock<std::mutex> lock(shared_->m);
    shared_->finished = true;
    shared_->cv.wait_for(lock, std::chrono::seconds(1), [&] { return shared_->exited; });
  }
  NotificationThread(const NotificationThread&) = delete;
  NotificationThread& operator=(const NotificationThread&) = delete;

  // The tracer's turn; rethrows what a handler threw in the thread.
  std::unique_lock<std::mutex> turn() {
    std::unique_lock<std::mutex> lock(shared_->m);
    if (shared_->failure) std::rethrow_exception(std::exchange(shared_->failure, nullptr));
    return lock;
  }

 private:
  struct Shared {
    std::mutex m;
    std::condition_variable cv;
    const std::function<void(const UserNotification&)>* handler = nullptr;  // valid while !finished
    std::exception_ptr failure;
    bool finished = false;
    bool exited = false;
  };

  static bool hung_up(int listener) {
    pollfd p{listener, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
  }

  static void serve(const std::shared_ptr<Shared>& shared, UniqueFd listener) {
    const int fd = listener.get();
    UserNotifications own(std::move(listener));
    for (;;) {
      UserNotification n;
      // False: the caller went away between its wake-up and this receive, or none is
      // left to make a call.
      if (!own.receive(n)) {
        if (hung_up(fd)) break;
        continue;
      }
      std::lock_guard<std::mutex> lock(shared->m);
      if (shared->finished) break;
      // After a failure every call fails (EIO) until the tracer has thrown it: where
      // the child below cannot be made (no process left to the user), the app's next
      // stop or its end wakes the tracer, and no call waits for an answer meanwhile.
      if (shared->failure) {
        own.answer(n.id, -EIO);
        continue;
      }
      try {
        (*shared->handler)(n);
      } catch (...) {
        // For the tracer's thread to throw, as a handler of its own would: the caller
        // is answered with an error, and a child that exits at once ends the tracer's
        // waitpid.
        shared->failure = std::current_exception();
        own.answer(n.id, -EIO);
        if (::fork() == 0) ::_exit(0);
      }
    }
    std::lock_guard<std::mutex> lock(shared->m);
    shared->exited = true;
    shared->cv.notify_all();
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace

int trace_until_done(pid_t root, const std::function<void(pid_t)>& on_seccomp, const std::function<void(pid_t)>& on_exec,
                     std::set<pid_t>& started, UserNotifications* listener,
                     const std::function<void(const UserNotification&)>& on_notification, unsigned served_inline) {
  TraceHandlers trace{root, on_seccomp, on_exec, started, 0, false, {}};
  JobStops job_stops;
  bool listening = listener != nullptr;
  if (listening) {
    // The first notifications are served on this thread, in one loop with the stops:
    // a stop wakes the signalfd (ptrace reports it to the tracer with SIGCHLD), a
    // notification the listener. Every status pending is taken at each wake-up, as
    // SIGCHLDs coalesce. Starting a thread costs ~0.1 ms here (clone alone), what the
    // thread then saves ~100 notifications: a short run never pays for it.
    ChildSignals chld;
    UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) throw_sys("cannot create", "an epoll set for the tracer", errno);
    for (const int fd : {chld.fd(), listener->fd()}) {
      epoll_event e{};
      e.events = EPOLLIN;
      e.data.fd = fd;
      if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &e) != 0) throw_sys("cannot watch", "the tracer's descriptors", errno);
    }
    bool children = true;  // statuses may be pending (the first time: from before the signalfd)
    unsigned served = 0;
    for (;;) {
      while (children) {
        int st = 0;
        const pid_t pid = ::waitpid(-1, &st, __WALL | WNOHANG);
        if (pid == 0) break;
        if (pid < 0) {
          if (errno == EINTR) continue;
          if (errno == ECHILD) return trace.root_status;
          throw_sys("cannot wait for", "the traced program", errno);
        }
        trace.handle(pid, st);
      }
      trace.follow_job_stop();
      if (!listening || served >= served_inline) break;
      epoll_event ready[2];
      const int n = ::epoll_wait(epoll.get(), ready, 2, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_sys("cannot wait for", "the traced program", errno);
      }
      children = false;
      for (int i = 0; i < n; ++i) {
        if (ready[i].data.fd == chld.fd()) {
          // Drained before the statuses are taken: a SIGCHLD after this wakes the next wait.
          children = true;
          chld.drain();
        } else if (ready[i].events & EPOLLIN) {
          UserNotification call;
          if (listener->receive(call)) {
            on_notification(call);
            ++served;
          }
        } else {
          // Hung up: every process with the filter has ended.
          listening = false;
          children = true;
        }
      }
    }
  }
  // The rest: notifications on a thread of their own (if any can still come), the
  // stops here.
  std::optional<NotificationThread> notifications;
  if (listening) notifications.emplace(listener->fd(), on_notification);
  for (;;) {
    int st = 0;
    const pid_t pid = ::waitpid(-1, &st, __WALL);
    if (pid < 0) {
      if (errno == EINTR) {
        trace.follow_job_stop();
        continue;
      }
      if (errno == ECHILD) return trace.root_status;
      throw_sys("cannot wait for", "the traced program", errno);
    }
    {
      std::unique_lock<std::mutex> turn;
      if (notifications) turn = notifications->turn();
      trace.handle(pid, st);
    }
    trace.follow_job_stop();
  }
}

}  // namespace appv
