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
