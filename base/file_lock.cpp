#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "base/error.h"

namespace appv {

UniqueFd lock_file(const std::string& path, unsigned mode, LockWait wait) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) throw_sys("cannot open lock", path, errno);
  const int op = wait == LockWait::Try ? LOCK_EX | LOCK_NB : LOCK_EX;
  while (::flock(fd.get(), op) != 0) {
    if (errno == EINTR) continue;
    if (wait == LockWait::Try && errno == EWOULDBLOCK) return {};
    throw_sys("cannot lock", path, errno);
  }
  return fd;
}

}  // namespace appv
