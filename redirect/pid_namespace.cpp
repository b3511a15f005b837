#include "redirect/pid_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "base/unique_fd.h"
#include "redirect/child_channel.h"
#include "redirect/privileges.h"
#include "redirect/seccomp_filter.h"
#include "redirect/terminal_relay.h"

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

// init keeps only `keep` (its status pipe, the bus proxies' pipes, a throw-away
// sandbox's lock): what else it inherited (a sandbox's launch lock, pipes of the
// launch, appv's error channel) would otherwise stay open as long as it lives.
void close_inherited_fds(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 3;  // the lowest descriptor not yet closed or kept
  for (const int fd : keep) {
    if (fd < static_cast<int>(next)) continue;
    if (static_cast<unsigned>(fd) > next) ::close_range(next, static_cast<unsigned>(fd) - 1, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::close_range(next, ~0U, 0);
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

// pid 1 from here on: reap every child, report the app's status once, and end when
// `lifetime` says. The kernel sends pid 1 only the signals it handles; those that
// appv passes on (SignalForwarding) go to the app. With a terminal relay, the app's
// stops are reported to it.
[[noreturn]] void init_loop(pid_t app, UniqueFd status_writer, InitLifetime lifetime, const TerminalRelay* terminal) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  SignalForwarding forwarding(app);
  bool app_running = true;
  // kill(-1, 0) from pid 1 reaches every other process of this namespace, including
  // those of launches that joined it (which are not init's children).
  const auto empty = [] { return ::kill(-1, 0) != 0 && errno == ESRCH; };
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
      const bool stays = lifetime == InitLifetime::UntilEmpty && !empty();
      write_ended(status_writer.get(), {app_status, stays ? 1 : 0});
      status_writer.reset();
      if (!stays) ::_exit(0);
    }
    if (!app_running && empty()) ::_exit(0);
    // SIGCHLD is blocked: it wakes this wait. Joined processes end without one.
    const timespec poll{1, 0};
    if (app_running) ::sigwaitinfo(&chld, nullptr);
    else ::sigtimedwait(&chld, nullptr, &poll);
  }
}

}  // namespace

void unshare_pid_namespace() {
  if (::unshare(CLONE_NEWPID) != 0) throw_sys("cannot create a PID namespace", "unshare(CLONE_NEWPID)", errno, Exit::Environment);
}

int run_in_pid_namespace(const std::function<void()>& enter_view, const std::function<void()>& exec_app,
                         InitLifetime lifetime, const std::function<void(pid_t)>& started,
                         const std::vector<int>& init_keeps, const std::function<void(pid_t)>& init_leaving,
                         TerminalRelay* terminal) {
  ErrorChannel errors;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe to the app's init", errno, Exit::Environment);
  UniqueFd status_reader(fds[0]), status_writer(fds[1]);
  std::fflush(nullptr);
  const pid_t init = ::fork();
  if (init < 0) throw_sys("cannot fork", "the PID namespace's init", errno, Exit::Environment);
  if (init == 0) {
    errors.close_reader();
    status_reader.reset();
    errors.run([&] {
      enter_view();
      sigset_t chld, old;
      sigemptyset(&chld);
      sigaddset(&chld, SIGCHLD);
      ::sigprocmask(SIG_BLOCK, &chld, &old);
      if (terminal) terminal->lead_session();
      std::fflush(nullptr);
      const pid_t app = ::fork();
      if (app < 0) throw_sys("cannot fork", "the app", errno, Exit::Environment);
      if (app == 0) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        status_writer.reset();
        errors.run([&] {
          if (terminal) terminal->attach_app();
          exec_app();
        });
      }
      errors.close_writer();  // appv sees end-of-file when the app has exec'd
      std::vector<int> keep = init_keeps;
      keep.push_back(status_writer.get());
      if (terminal) keep.push_back(terminal->stop_reports());
      close_inherited_fds(std::move(keep));
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
      init_loop(app, std::move(status_writer), lifetime, terminal);
    });
  }
  status_writer.reset();
  SignalForwarding forwarding(init);
  const std::string report = errors.drain();
  if (!report.empty()) {
    const int status = wait_for(init);
    ErrorChannel::throw_reported(report);
    return status;
  }
  if (terminal) terminal->app_started();
  if (started) started(init);
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
