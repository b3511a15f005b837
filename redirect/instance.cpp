#include "redirect/instance.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/pidfd.h"
#include "base/unique_fd.h"
#include "redirect/child.h"
#include "redirect/child_channel.h"
#include "redirect/terminal_relay.h"

namespace appv {
namespace {

// An empty fd if the process has exited meanwhile.
UniqueFd open_ns(pid_t pid, const char* name) {
  const std::string path = fmt::format("/proc/{}/{}", pid, name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno != ENOENT && errno != ESRCH) throw_sys("cannot join the running instance through", path, errno, Exit::Environment);
  return fd;
}

// True if the namespace held by `fd` is the one at `own` (a /proc/self/ns/ link).
bool same_namespace(int fd, const char* own) {
  struct stat theirs, ours;
  if (::fstat(fd, &theirs) != 0) throw_sys("cannot inspect the namespace of", "the running instance", errno, Exit::Environment);
  if (::stat(own, &ours) != 0) throw_sys("cannot inspect", own, errno, Exit::Environment);
  return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

}  // namespace

std::optional<NamespaceState> join_instance(const Instance& instance) {
  NamespaceState state;
  // Every handle is taken before the first setns (after it, /proc is the app's).
  // Once held they keep the namespaces alive even if the instance exits now.
  UniqueFd user = open_ns(instance.pid, "ns/user");
  UniqueFd pid = open_ns(instance.pid, "ns/pid");
  UniqueFd net = open_ns(instance.pid, "ns/net");
  UniqueFd mnt = open_ns(instance.pid, "ns/mnt");
  UniqueFd root = open_ns(instance.pid, "root");
  if (!user || !pid || !net || !mnt || !root) return std::nullopt;
  if (!same_namespace(user.get(), "/proc/self/ns/user")) {
    if (::setns(user.get(), CLONE_NEWUSER) != 0) throw_sys("cannot join the user namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
    state.user_namespace = true;
  }
  // For the children forked from here on: the app joins the instance's processes.
  if (::setns(pid.get(), CLONE_NEWPID) != 0) throw_sys("cannot join the PID namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
  // An instance whose network permission was denied has a network namespace of its
  // own; a launch joining it must not keep the host's (the view id covers permissions,
  // so both launches were denied the same).
  if (!same_namespace(net.get(), "/proc/self/ns/net") && ::setns(net.get(), CLONE_NEWNET) != 0) {
    throw_sys("cannot join the network namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
  }
  if (::setns(mnt.get(), CLONE_NEWNS) != 0) throw_sys("cannot join the mount namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
  if (::fchdir(root.get()) != 0 || ::chroot(".") != 0) throw_sys("cannot enter the root of pid", std::to_string(instance.pid), errno, Exit::Environment);
  return state;
}

namespace {

// What the joiner tells the launch, one byte: the app was forked, or the instance was
// gone before it could be.
constexpr char kJoined = 'J';
constexpr char kGone = 'G';

void tell(int fd, char outcome) {
  ssize_t n;
  do n = ::write(fd, &outcome, 1);
  while (n < 0 && errno == EINTR);
}

// The joiner's wait for the app; with a terminal relay, the app's stops are reported.
int wait_for_app(pid_t app, const TerminalRelay* terminal) {
  if (!terminal) return wait_for(app);
  int status = 0;
  for (;;) {
    if (::waitpid(app, &status, WUNTRACED) < 0) {
      if (errno == EINTR) continue;
      throw_sys("cannot wait for", "the app", errno);
    }
    if (!WIFSTOPPED(status)) return status;
    terminal->report_stop(WSTOPSIG(status));
  }
}

}  // namespace

std::optional<int> run_joined(const Instance& instance, const std::function<void()>& exec_app,
                              const std::function<void()>& in_joiner, const std::function<void(pid_t)>& started,
                              TerminalRelay* terminal) {
  ErrorChannel errors;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe to the joining process", errno, Exit::Environment);
  UniqueFd outcome_reader(fds[0]), outcome_writer(fds[1]);
  std::fflush(nullptr);
  const pid_t joiner = ::fork();
  if (joiner < 0) throw_sys("cannot fork", "a process to join the running instance", errno, Exit::Environment);
  if (joiner == 0) {
    errors.close_reader();
    outcome_reader.reset();
    errors.run([&] {
      if (!join_instance(instance)) {
        tell(outcome_writer.get(), kGone);
        ::_exit(0);
      }
      in_joiner();
      if (terminal) terminal->lead_session();
      std::fflush(nullptr);
      const pid_t app = ::fork();
      if (app < 0 && errno == ENOMEM) {
        tell(outcome_writer.get(), kGone);
        ::_exit(0);
      }
      if (app < 0) throw_sys("cannot fork", "the app into the running instance", errno, Exit::Environment);
      if (app == 0) {
        outcome_writer.reset();
        errors.run([&] {
          if (terminal) terminal->attach_app();
          exec_app();
        });
      }
      tell(outcome_writer.get(), kJoined);
      outcome_writer.reset();
      errors.close_writer();  // the launch sees end-of-file when the app has exec'd
      SignalForwarding forwarding(app);
      exit_like(wait_for_app(app, terminal));
    });
  }
  outcome_writer.reset();
  SignalForwarding forwarding(joiner);
  const std::string report = errors.drain();
  if (!report.empty()) {
    wait_for(joiner);
    ErrorChannel::throw_reported(report);
  }
  char outcome = 0;
  ssize_t n;
  do n = ::read(outcome_reader.get(), &outcome, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1 || outcome != kJoined) {
    const int status = wait_for(joiner);
    if (n == 1 && outcome == kGone) return std::nullopt;
    return status;  // the joiner died without a word (killed from outside)
  }
  if (started) started(joiner);
  if (terminal) {
    // The joiner ends with the app: its pidfd says when.
    terminal->app_started();
    const UniqueFd joiner_ends = open_pidfd(joiner);
    if (!joiner_ends) throw_sys("cannot watch", "the joining process (pidfd_open)", errno, Exit::Environment);
    terminal->relay_until(joiner_ends.get());
    terminal->finish();
  }
  return wait_for(joiner);
}

}  // namespace appv
