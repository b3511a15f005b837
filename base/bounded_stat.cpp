#include "base/bounded_stat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace appv {
namespace {

// What the looking process sends: its pid as soon as it runs, then lstat's errno and
// stat. A plain struct so that the writer needs async-signal-safe calls only.
struct Answer {
  pid_t pid;
  int err;
  struct stat st;
};

int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Leaves the looker only `out`, as fd 3: an orphan that may live for as long as the
// mount hangs must not hold the caller's terminal, pipes (a shell's `$(appv ...)`
// would wait for it) or, for an absolute `path`, working directory. Async-signal-safe
// calls only.
int keep_only(int out, const char* path) {
  if (out != 3 && ::dup2(out, 3) < 0) ::_exit(1);
  if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
    for (int fd = 4; fd < 4096; ++fd) ::close(fd);  // kernels before 5.9
  }
  for (int fd = 0; fd < 3; ++fd) ::close(fd);
  if (path[0] == '/' && ::chdir("/") != 0) ::_exit(1);
  return 3;
}

[[noreturn]] void look_and_answer(const char* path, int to_parent) {
  const int out = keep_only(to_parent, path);
  Answer a{};
  a.pid = ::getpid();
  if (::write(out, &a.pid, sizeof a.pid) != static_cast<ssize_t>(sizeof a.pid)) ::_exit(1);
  a.err = ::lstat(path, &a.st) == 0 ? 0 : errno;
  const char* rest = reinterpret_cast<const char*>(&a) + sizeof a.pid;
  const size_t left = sizeof a - sizeof a.pid;
  ::_exit(::write(out, rest, left) == static_cast<ssize_t>(left) ? 0 : 1);
}

}  // namespace

int lstat_within(const std::string& path, struct stat& st, int timeout_ms) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return errno;
  UniqueFd from_looker(p[0]), to_parent(p[1]);
  // The lookup runs in a grandchild, orphaned at once: a FUSE daemon that has read the
  // request and never answers holds its asker in an uninterruptible wait that even
  // SIGKILL does not end, and a child in that state could never be reaped. An orphan
  // is the init process's to reap, whenever the mount lets it go.
  const pid_t middle = ::fork();
  if (middle < 0) return errno;
  if (middle == 0) {
    // _Fork: no atfork handlers, which may take locks another thread of the caller
    // held at the fork above (async-signal-safe, unlike fork(3)).
    const pid_t looker = ::_Fork();
    if (looker == 0) look_and_answer(path.c_str(), to_parent.get());
    ::_exit(looker < 0 ? 1 : 0);
  }
  to_parent.reset();
  while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
  }

  Answer answer{};
  auto* into = reinterpret_cast<char*>(&answer);
  size_t got = 0;
  int result = ETIMEDOUT;
  const int64_t deadline = now_ms() + timeout_ms;
  while (got < sizeof answer) {
    const int64_t left = deadline - now_ms();
    if (left <= 0) break;
    pollfd waiting{from_looker.get(), POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      result = errno;
      break;
    }
    if (ready == 0) break;
    const ssize_t n = ::read(from_looker.get(), into + got, sizeof answer - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result = EIO;  // the looker died without answering, or never ran (fork failed)
      break;
    }
    got += static_cast<size_t>(n);
  }
  if (got == sizeof answer) {
    st = answer.st;
    return answer.err;
  }
  if (result == ETIMEDOUT && got >= sizeof answer.pid) {
    // Ends a lookup the kernel can still cancel (NFS, a FUSE request not yet read),
    // so that a hung mount does not gather one waiting process per launch. The looker
    // has not answered, and it only exits after answering or when killed: its pid is
    // its own but for a race of microseconds with its answer and a full turn of the
    // pid space.
    ::kill(answer.pid, SIGKILL);
  }
  return result;
}

}  // namespace appv
