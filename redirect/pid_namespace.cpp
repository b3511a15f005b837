#include "redirect/pid_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "base/close_fds.h"
#include "base/error.h"
#include "base/unique_fd.h"
#include "redirect/child_channel.h"
#include "redirect/privileges.h"
#include "redirect/seccomp_filter.h"
#include "redirect/terminal_relay.h"
#include "vfs/idle_instance.h"

namespace appv {
namespace {

// Gives up the terminal and every pipe of the launch: `appv run app | less` must see
// end-of-file when the app and its children are done, not when init is.
void release_stdio() {
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 2; ++fd) {
    if (null >= 0) ::dup2(null, fd);
    else ::close(fd);
  }
  if (null > 2) ::close(null);
}

// What init tells appv when the app has ended: its raw wait status, and whether init
// stays for processes still in the namespace. When it does not, appv waits for it to
// be gone, so the next launch never finds the instance on its way out (and refuses
// to start beside it, or joins a namespace that is dying).
struct AppEnded {
  int status = 0;
  int init_stays = 0;
};

bool write_ended(int fd, const AppEnded& ended) {
  ssize_t n;
  do n = ::write(fd, &ended, sizeof ended);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof ended);
}

// The last pid the namespace handed out (-1 if unknown): it moves whenever a process
// starts in it, such as a launch that joined the instance and may have ended since.
long last_pid(int fd) {
  char text[24];
  const ssize_t n = fd >= 0 ? ::pread(fd, text, sizeof text - 1, 0) : -1;
  if (n <= 0) return -1;
  text[n] = '\0';
  return std::strtol(text, nullptr, 10);
}

// When the namespace was last seen becoming empty, and its last pid then (`seen`
// false while something runs in it).
struct Idle {
  bool seen = false;
  std::chrono::steady_clock::time_point since{};
  long last_pid = -1;
};

// Whether the launch let init linger: one byte once it has recorded the instance, or
// end-of-file if it died or failed before (an instance nobody recorded must not keep a
// view a later launch cannot find: that one would mount its own on the same sandbox).
// The launch writes it right after the app has started, so this waits briefly if at all.
bool lingering_permitted(int permit) {
  char byte;
  ssize_t n;
  do n = ::read(permit, &byte, 1);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

// pid 1 from here on: reap every child, report the app's status once, and end when
// `lifetime` and `linger` say. The kernel sends pid 1 only the signals it handles or
// blocks; those that appv passes on (SignalForwarding) go to the app. With a terminal
// relay, the app's stops are reported to it.
[[noreturn]] void init_loop(pid_t app, UniqueFd status_writer, InitLifetime lifetime, const Linger& linger,
                            UniqueFd permit, const TerminalRelay* terminal) {
  const int leave = leave_when_idle_signal();
  sigset_t waited;  // blocked since before the app was forked
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  sigaddset(&waited, leave);
  SignalForwarding forwarding(app);
  bool app_running = true;
  // kill(-1, 0) from pid 1 reaches every other process of this namespace, including
  // those of launches that joined it (which are not init's children).
  const auto empty = [] { return ::kill(-1, 0) != 0 && errno == ESRCH; };
  bool lingers = lifetime == InitLifetime::UntilEmpty && linger.period.count() > 0 && linger.lock >= 0 && permit;
  // The namespace's own /proc (the view's): init has pivoted into it.
  const UniqueFd pids(lingers ? ::open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC) : -1);
  Idle idle;
  bool leave_asked = false;
  for (;;) {
    int ws = 0, app_status = 0;
    bool app_ended = false;
    pid_t pid;
    while ((pid = ::waitpid(-1, &ws, WNOHANG | (terminal ? WUNTRACED : 0))) > 0) {
      if (WIFSTOPPED(ws)) {
        if (pid == app && app_running) terminal->report_stop(WSTOPSIG(ws));
        continue;
      }
      if (pid == app) {
        app_ended = true;
        app_status = ws;
      }
    }
    if (app_ended) {  // decided once every zombie is reaped: a zombie still answers kill()
      app_running = false;
      forwarding.retarget(0);
      if (lingers) lingers = lingering_permitted(permit.get());
      permit.reset();
      const bool stays = lifetime == InitLifetime::UntilEmpty && (lingers || !empty());
      write_ended(status_writer.get(), {app_status, stays ? 1 : 0});
      status_writer.reset();
      if (!stays) ::_exit(0);
    }
    // SIGCHLD is blocked: it wakes this wait. Joined processes end without one.
    timespec wait{1, 0};
    if (!app_running) {
      if (!empty()) {
        idle.seen = false;
      } else if (!lingers || leave_asked) {
        ::_exit(0);
      } else {
        const auto now = std::chrono::steady_clock::now();
        const long last = last_pid(pids.get());
        if (!idle.seen || last != idle.last_pid) idle = Idle{true, now, last};
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(idle.since + linger.period - now);
        if (left.count() <= 0) {
          // A launch holding the sandbox's lock may be about to join: never leave under it.
          if (::flock(linger.lock, LOCK_EX | LOCK_NB) == 0) ::_exit(0);
          wait = {0, 100'000'000};
        } else {
          wait = {static_cast<time_t>(left.count() / 1'000'000'000), static_cast<long>(left.count() % 1'000'000'000)};
        }
      }
    }
    leave_asked = false;
    const int sig = app_running ? ::sigwaitinfo(&waited, nullptr) : ::sigtimedwait(&waited, nullptr, &wait);
    if (sig == leave) leave_asked = true;
  }
}

}  // namespace

void unshare_pid_namespace() {
  if (::unshare(CLONE_NEWPID) != 0) throw_sys("cannot create a PID namespace", "unshare(CLONE_NEWPID)", errno, Exit::Environment);
}

int run_in_pid_namespace(const std::function<void()>& enter_view, const std::function<void()>& exec_app,
                         InitLifetime lifetime, const std::function<void(pid_t)>& started,
                         const std::vector<int>& init_keeps, const std::function<void(pid_t)>& init_leaving,
                         TerminalRelay* terminal, const Linger& linger) {
  ErrorChannel errors;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe to the app's init", errno, Exit::Environment);
  UniqueFd status_reader(fds[0]), status_writer(fds[1]);
  // The launch's word that init may linger (lingering_permitted).
  UniqueFd permit_reader, permit_writer;
  if (lifetime == InitLifetime::UntilEmpty && linger.period.count() > 0 && linger.lock >= 0) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe to the app's init", errno, Exit::Environment);
    permit_reader = UniqueFd(fds[0]);
    permit_writer = UniqueFd(fds[1]);
  }
  std::fflush(nullptr);
  const pid_t init = ::fork();
  if (init < 0) throw_sys("cannot fork", "the PID namespace's init", errno, Exit::Environment);
  if (init == 0) {
    errors.close_reader();
    status_reader.reset();
    permit_writer.reset();
    errors.run([&] {
      enter_view();
      sigset_t waited, old;
      sigemptyset(&waited);
      sigaddset(&waited, SIGCHLD);
      sigaddset(&waited, leave_when_idle_signal());
      ::sigprocmask(SIG_BLOCK, &waited, &old);
      if (terminal) terminal->lead_session();
      std::fflush(nullptr);
      const pid_t app = ::fork();
      if (app < 0) throw_sys("cannot fork", "the app", errno, Exit::Environment);
      if (app == 0) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        status_writer.reset();
        permit_reader.reset();
        errors.run([&] {
          if (terminal) terminal->attach_app();
          exec_app();
        });
      }
      errors.close_writer();  // appv sees end-of-file when the app has exec'd
      std::vector<int> keep = init_keeps;
      keep.push_back(status_writer.get());
      if (linger.lock >= 0) keep.push_back(linger.lock);
      if (permit_reader) keep.push_back(permit_reader.get());
      if (terminal) keep.push_back(terminal->stop_reports());
      // init keeps only `keep` (its status pipe, the bus proxies' pipes, a throw-away
      // sandbox's lock): what else it inherited (a sandbox's launch lock, pipes of the
      // launch, appv's error channel) would otherwise stay open as long as it lives.
      close_fds_except(std::move(keep));
      // init has no use for the caller's terminal. (With a relay it leads the app's
      // session, whose terminal it must keep.)
      if (!terminal && ::isatty(0)) ::ioctl(0, TIOCNOTTY);
      release_stdio();
      // The app must not control init (ptrace, /proc/1/mem, /proc/1/fd: it could run
      // calls its filter refuses through it, or forge the status it reports), and
      // init needs nothing from here but signalling the processes of its namespace:
      // it keeps CAP_KILL, which puts it out of the capability-less app's reach, and
      // runs under the app's own filter.
      drop_privileges_but(CAP_KILL);
      install_seccomp_filter();
      init_loop(app, std::move(status_writer), lifetime, linger, std::move(permit_reader), terminal);
    });
  }
  status_writer.reset();
  permit_reader.reset();
  SignalForwarding forwarding(init);
  const std::string report = errors.drain();
  if (!report.empty()) {
    // No lingering for a launch that failed: init, which reads the word once the app
    // has ended, would otherwise wait for it while this waits for init.
    permit_writer.reset();
    const int status = wait_for(init);
    ErrorChannel::throw_reported(report);
    return status;
  }
  if (terminal) terminal->app_started();
  if (started) started(init);
  if (permit_writer) {
    const char yes = 'L';
    ssize_t n;
    do n = ::write(permit_writer.get(), &yes, 1);
    while (n < 0 && errno == EINTR);
    permit_writer.reset();
  }
  if (terminal) {
    terminal->relay_until(status_reader.get());
    terminal->finish();
  }
  AppEnded ended;
  ssize_t n;
  do n = ::read(status_reader.get(), &ended, sizeof ended);
  while (n < 0 && errno == EINTR);
  // init died without a word (killed from outside): its own status stands for the app's.
  if (n != static_cast<ssize_t>(sizeof ended)) return wait_for(init);
  if (!ended.init_stays) {
    if (init_leaving) init_leaving(init);
    else wait_for(init);  // the namespace is gone once init is reaped
  }
  return ended.status;
}

}  // namespace appv
