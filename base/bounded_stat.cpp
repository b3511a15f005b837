#include "base/bounded_stat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace appv {

int lstat_within(const std::string& path, struct stat& st, int timeout_ms) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return errno;
  UniqueFd out(p[0]), in(p[1]);
  const pid_t child = ::fork();
  if (child < 0) return errno;
  if (child == 0) {
    // The answer: the errno, then the stat. Async-signal-safe calls only.
    struct stat got {};
    const int err = ::lstat(path.c_str(), &got) == 0 ? 0 : errno;
    char answer[sizeof err + sizeof got];
    __builtin_memcpy(answer, &err, sizeof err);
    __builtin_memcpy(answer + sizeof err, &got, sizeof got);
    const bool whole = ::write(in.get(), answer, sizeof answer) == static_cast<ssize_t>(sizeof answer);
    ::_exit(whole ? 0 : 1);
  }
  in.reset();
  pollfd waiting{out.get(), POLLIN, 0};
  int ready = 0;
  do ready = ::poll(&waiting, 1, timeout_ms);  // an EINTR restarts the full wait: a longer wait, never a shorter one
  while (ready < 0 && errno == EINTR);
  int result = ETIMEDOUT;
  if (ready > 0) {
    char answer[sizeof(int) + sizeof(struct stat)];
    size_t got = 0;
    while (got < sizeof answer) {
      const ssize_t n = ::read(out.get(), answer + got, sizeof answer - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got == sizeof answer) {
      __builtin_memcpy(&result, answer, sizeof result);
      __builtin_memcpy(&st, answer + sizeof result, sizeof st);
    } else {
      result = EIO;  // the child died without answering
    }
  } else if (ready < 0) {
    result = errno;
  }
  if (result == ETIMEDOUT) ::kill(child, SIGKILL);
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace appv
