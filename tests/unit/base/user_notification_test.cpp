// Seccomp user notifications end to end in one process pair: a child loads the filter
// (base/tracing.h), passes its listener over a socket, and makes the calls; this
// process receives them and answers with a descriptor, an error, or the call itself.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <tuple>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "base/fd_passing.h"
#include "base/tracing.h"
#include "base/user_notification.h"

using namespace appv;

namespace {

// The child's verdicts, as exit statuses.
enum : int { kOk = 0, kNoFilter = 10, kNotInjected = 11, kNotCharDev = 12, kNoCloexec = 13, kNotRun = 14, kNotRefused = 15 };

[[noreturn]] void notified_child(int socket) {
  int listener = -1;
  if (install_trace_filter({{SYS_openat, -1, true}}, &listener) != 0 || listener < 0) ::_exit(kNoFilter);
  if (!send_fd(socket, listener)) ::_exit(kNoFilter);
  ::close(listener);
  // Answered with /dev/null, close-on-exec as asked.
  const int fd = ::openat(AT_FDCWD, "/appv-notified-none", O_RDONLY | O_CLOEXEC);
  if (fd < 0) ::_exit(kNotInjected);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) ::_exit(kNotCharDev);
  if (!(::fcntl(fd, F_GETFD) & FD_CLOEXEC)) ::_exit(kNoCloexec);
  // Let run: the kernel's own answer.
  if (::openat(AT_FDCWD, "/appv-notified-none", O_RDONLY) >= 0 || errno != ENOENT) ::_exit(kNotRun);
  // Answered with an error, the call not made.
  if (::openat(AT_FDCWD, "/dev/null", O_RDONLY) >= 0 || errno != EACCES) ::_exit(kNotRefused);
  ::_exit(kOk);
}

}  // namespace

TEST_CASE("a notified call is answered with a descriptor, with the kernel's own answer, or with an error") {
  REQUIRE(user_notifications_can_send_fds());  // Linux >= 5.14
  int sockets[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) notified_child(sockets[1]);
  ::close(sockets[1]);
  UniqueFd listener = receive_fd(sockets[0]);
  ::close(sockets[0]);
  REQUIRE(listener);
  UserNotifications notifications(std::move(listener));

  UserNotification n;
  REQUIRE(notifications.receive(n));
  CHECK(n.nr == SYS_openat);
  CHECK(n.pid == child);
  CHECK(read_tracee_string(n.pid, n.args[1]) == "/appv-notified-none");
  CHECK(notifications.still_waiting(n.id));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(null >= 0);
  CHECK(notifications.answer_with_fd(n.id, null, (n.args[2] & O_CLOEXEC) != 0) == 0);
  CHECK_FALSE(notifications.still_waiting(n.id));  // answered with the descriptor
  ::close(null);

  REQUIRE(notifications.receive(n));
  notifications.let_run(n.id);
  REQUIRE(notifications.receive(n));
  CHECK(read_tracee_string(n.pid, n.args[1]) == "/dev/null");
  notifications.answer(n.id, -EACCES);

  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kOk);
}

TEST_CASE("without a listener, the calls marked for notification stop for ptrace like the rest") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (install_trace_filter({{SYS_getcwd, -1, true}}) != 0) ::_exit(kNoFilter);
    char buf[256];
    // RET_TRACE without a tracer: the call fails with ENOSYS (seccomp(2)).
    ::_exit(::syscall(SYS_getcwd, buf, sizeof buf) < 0 && errno == ENOSYS ? kOk : kNotRun);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kOk);
}

TEST_CASE("the trace filter's search over call numbers stops exactly the listed calls") {
  // Harmless calls without arguments that matter: listed ones stop (RET_TRACE without
  // a tracer: ENOSYS), the others, between and around them, run. Enough of them for
  // the binary search to have several levels, given out of order.
  const std::vector<long> listed{SYS_getppid, SYS_sched_yield, SYS_getuid,   SYS_getpgrp, SYS_times,
                                 SYS_getegid, SYS_sysinfo,     SYS_getrusage, SYS_gettid,  SYS_getsid};
  const std::vector<long> unlisted{SYS_getpid, SYS_getgid, SYS_geteuid, SYS_getpgid, SYS_getpriority, SYS_sched_getscheduler};
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::vector<StoppedCall> calls;
    for (const long nr : listed) calls.push_back({nr});
    if (install_trace_filter(calls) != 0) ::_exit(kNoFilter);
    unsigned char buf[512] = {};
    for (const long nr : listed) {
      errno = 0;
      if (::syscall(nr, buf, 0, 0) != -1 || errno != ENOSYS) ::_exit(10 + static_cast<int>(&nr - listed.data()));
    }
    for (const long nr : unlisted) {
      errno = 0;
      ::syscall(nr, 0, 0, 0);
      if (errno == ENOSYS) ::_exit(30 + static_cast<int>(&nr - unlisted.data()));
    }
    ::_exit(kOk);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kOk);
}

namespace {

// A traced child with a listener: `opens` opens go to the listener, getppid stops for
// the tracer. Its verdict on the open's answer is its exit status, and the one
// byte it writes to `verdict` (kOk or kNotRefused). `then_pause`: it waits after that
// for a signal, making no call the tracer would see.
struct TracedChild {
  pid_t pid = -1;
  UniqueFd listener;
  UniqueFd verdict;
};

TracedChild start_traced_child(int expected_errno, int opens, bool then_pause = false) {
  int sockets[2], verdict[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) == 0);
  REQUIRE(::pipe2(verdict, O_CLOEXEC) == 0);
  SeizeGate gate;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (!gate.wait_in_child()) ::_exit(kNoFilter);
    int listener = -1;
    if (install_trace_filter({{SYS_openat, -1, true}, {SYS_getppid}}, &listener) != 0 || listener < 0) ::_exit(kNoFilter);
    if (!send_fd(sockets[1], listener)) ::_exit(kNoFilter);
    ::close(listener);
    bool refused = true;
    for (int i = 0; i < opens; ++i) {
      refused = refused && ::openat(AT_FDCWD, "/appv-notified-none", O_RDONLY) < 0 && errno == expected_errno;
    }
    const char byte = refused ? kOk : kNotRefused;
    if (::write(verdict[1], &byte, 1) != 1 || !refused) ::_exit(kNotRefused);
    if (then_pause) ::pause();
    if (::getppid() <= 0) ::_exit(kNotRun);  // stopped for the tracer, then made
    ::_exit(kOk);
  }
  ::close(sockets[1]);
  ::close(verdict[1]);
  REQUIRE(gate.seize(child) == 0);
  TracedChild out{child, receive_fd(sockets[0]), UniqueFd(verdict[0])};
  ::close(sockets[0]);
  REQUIRE(out.listener);
  return out;
}

}  // namespace

TEST_CASE("the tracer serves the first notifications between the stops, the rest on a thread of its own") {
  REQUIRE(user_notifications_can_send_fds());
  // How many are served on the tracer's thread before the thread starts, and so
  // which of the child's two opens the tracer's thread answers.
  const auto [served_inline, on_tracer] = GENERATE(table<unsigned, std::vector<bool>>(
      {{0, {false, false}}, {1, {true, false}}, {100, {true, true}}}));
  CAPTURE(served_inline);
  TracedChild child = start_traced_child(EACCES, 2);
  UserNotifications answers(std::move(child.listener));
  const pid_t tracer_thread = static_cast<pid_t>(::syscall(SYS_gettid));
  int stopped = 0;
  std::vector<bool> answered_on_tracer;
  std::set<pid_t> started{child.pid};
  const int status = trace_until_done(
      child.pid, [&](pid_t) { ++stopped; }, {}, started, &answers,
      [&](const UserNotification& n) {
        answered_on_tracer.push_back(::syscall(SYS_gettid) == tracer_thread);
        answers.answer(n.id, -EACCES);
      },
      served_inline);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kOk);
  CHECK(answered_on_tracer == on_tracer);
  CHECK(stopped == 1);
}

namespace {

// trace_until_done with a handler that throws, its first `served_inline` calls on the
// tracer's thread: the exception reaches the caller.
void check_handler_failure_thrown(pid_t child, UserNotifications& listener, unsigned served_inline) {
  std::set<pid_t> started{child};
  CHECK_THROWS_WITH(trace_until_done(
                        child, [](pid_t) {}, {}, started, &listener,
                        [](const UserNotification&) { throw std::runtime_error("handler failed"); }, served_inline),
                    "handler failed");
}

// The child, still traced by this thread but its tracer gone, ended as
// PTRACE_O_EXITKILL ends it when a supervisor's process exits; the pid it ended as.
pid_t end_traced_child(pid_t child) {
  ::kill(child, SIGKILL);
  int status = 0;
  pid_t ended = -1;
  while ((ended = ::waitpid(child, &status, __WALL)) == child && !WIFSIGNALED(status) && !WIFEXITED(status)) {
  }
  while (::waitpid(-1, &status, WNOHANG | __WALL) > 0) {  // the tracer's waker
  }
  return ended;
}

}  // namespace

TEST_CASE("what a notification's handler throws on the thread is thrown by the tracer, the call failing with EIO") {
  REQUIRE(user_notifications_can_send_fds());
  // The child then waits: only the thread's word can end the tracer's wait.
  TracedChild child = start_traced_child(EIO, 1, true);
  UserNotifications listener(std::move(child.listener));
  check_handler_failure_thrown(child.pid, listener, 0);
  char verdict = -1;
  CHECK(::read(child.verdict.get(), &verdict, 1) == 1);
  CHECK(verdict == kOk);
  CHECK(end_traced_child(child.pid) == child.pid);
}

TEST_CASE("what a notification's handler throws between the stops is thrown by the tracer at once") {
  REQUIRE(user_notifications_can_send_fds());
  TracedChild child = start_traced_child(EIO, 1, true);
  {
    UserNotifications listener(std::move(child.listener));
    check_handler_failure_thrown(child.pid, listener, 100);
  }
  // Unanswered, its listener closed: the call fails (ENOSYS) and the child exits, or
  // the kill ends it first.
  CHECK(end_traced_child(child.pid) == child.pid);
}
