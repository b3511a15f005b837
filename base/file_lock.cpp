#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.h"

namespace appv {
namespace {

// True while `path` still names the file open as `fd`.
bool still_at_path(int fd, const std::string& path) {
  struct stat held, named;
  if (::fstat(fd, &held) != 0 || ::lstat(path.c_str(), &named) != 0) return false;
  return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

}  // namespace

UniqueFd lock_file(const std::string& path, unsigned mode, LockWait wait, LockKind kind) {
  const int how = kind == LockKind::Shared ? LOCK_SH : LOCK_EX;
  const int op = wait == LockWait::Try ? how | LOCK_NB : how;
  for (;;) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) throw_sys("cannot open lock", path, errno);
    bool locked = false;
    while (!locked) {
      if (::flock(fd.get(), op) == 0) {
        locked = true;
      } else if (errno != EINTR) {
        if (wait == LockWait::Try && errno == EWOULDBLOCK) return {};
        throw_sys("cannot lock", path, errno);
      }
    }
    // Removed (or replaced) while this waited: that lock guards nothing any more.
    if (still_at_path(fd.get(), path)) return fd;
  }
}

}  // namespace appv
