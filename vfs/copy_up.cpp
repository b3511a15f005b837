#include "vfs/copy_up.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/unique_fd.h"
#include "vfs/sandbox.h"

namespace appv {
namespace {

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot write", path, errno, Exit::Io);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void copy_one(const std::string& sandbox, const CopyUp& c) {
  const UniqueFd dir = open_upper_parent(sandbox, c.to);
  const std::string name = c.to.substr(c.to.rfind('/') + 1);
  struct stat st;
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return;  // the app's own entry
  if (c.from.empty()) {
    UniqueFd made(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!made && errno != EEXIST) throw_sys("cannot create", c.to, errno, Exit::Io);
    return;
  }
  UniqueFd in(::open(c.from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!in) {
    if (errno == ELOOP || errno == ENOENT) return;  // changed since planning: nothing to copy
    throw_sys("cannot open", c.from, errno, Exit::Io);
  }
  if (::fstat(in.get(), &st) != 0) throw_sys("cannot stat", c.from, errno, Exit::Io);
  if (!S_ISREG(st.st_mode)) return;
  // Written under a temporary name and linked into place: an interrupted copy leaves
  // no half file at `to`.
  const std::string tmp_name = name + ".appv-copy";
  const std::string tmp = c.to + ".appv-copy";
  ::unlinkat(dir.get(), tmp_name.c_str(), 0);
  UniqueFd out(::openat(dir.get(), tmp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
  if (!out) throw_sys("cannot create", tmp, errno, Exit::Io);
  try {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(in.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_sys("cannot read", c.from, errno, Exit::Io);
      if (n == 0) break;
      write_all(out.get(), buf, static_cast<size_t>(n), tmp);
    }
    if (::fchmod(out.get(), st.st_mode & 07777) != 0) throw_sys("cannot set the mode of", tmp, errno, Exit::Io);
    if (::linkat(dir.get(), tmp_name.c_str(), dir.get(), name.c_str(), 0) != 0 && errno != EEXIST) {
      throw_sys("cannot create", c.to, errno, Exit::Io);
    }
  } catch (...) {
    ::unlinkat(dir.get(), tmp_name.c_str(), 0);
    throw;
  }
  ::unlinkat(dir.get(), tmp_name.c_str(), 0);
}

}  // namespace

void copy_up_files(const std::string& sandbox, const std::vector<CopyUp>& copies) {
  for (const CopyUp& c : copies) copy_one(sandbox, c);
}

}  // namespace appv
