#include "base/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <deque>
#include <vector>

#include "base/error.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

namespace appv {
namespace {

// The kernel's limit on links followed in one lookup.
constexpr int kMaxHops = 40;

// readlinkat of `name` in `dir` (or of `dir` itself when name is ""), or false.
bool read_link(int dir, const char* name, std::string& out) {
  char buf[4096];
  ssize_t n = ::readlinkat(dir, name, buf, sizeof buf);
  if (n < 0) return false;
  if (static_cast<size_t>(n) >= sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  out.assign(buf, static_cast<size_t>(n));
  return true;
}

int fail(int err) {
  errno = err;
  return -1;
}

}  // namespace

int openat_resolved_walk(int dir_fd, const std::string& path, int flags, Resolve how, mode_t mode) {
  const bool in_root = how == Resolve::InRoot;
  if (!in_root && !path.empty() && path[0] == '/') return fail(EXDEV);
  std::vector<UniqueFd> dirs;  // the directories entered below dir_fd, innermost last
  std::deque<std::string> pending;
  push_path_components(pending, path);
  int hops = 0;
  auto here = [&] { return dirs.empty() ? dir_fd : dirs.back().get(); };
  auto follow = [&](const std::string& target) {
    if (!in_root) return fail(ELOOP);
    if (++hops > kMaxHops) return fail(ELOOP);
    if (!target.empty() && target[0] == '/') dirs.clear();
    push_path_components(pending, target);
    return 0;
  };
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!dirs.empty()) dirs.pop_back();
      else if (!in_root) return fail(EXDEV);
      continue;
    }
    if (pending.empty()) {
      // The last component: follow it only if it is a link and the caller did not
      // say O_NOFOLLOW; open the thing itself never through a link.
      struct stat st;
      if (::fstatat(here(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) && !(flags & O_NOFOLLOW)) {
        if ((flags & O_CREAT) && (flags & O_EXCL)) return fail(EEXIST);  // as open(2) does
        std::string target;
        if (!read_link(here(), part.c_str(), target)) return -1;
        if (follow(target) != 0) return -1;
        if (pending.empty()) break;  // a link to "/" or ".."
        continue;
      }
      int fd = ::openat(here(), part.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0 && (flags & O_PATH) && !(flags & O_NOFOLLOW)) {
        // O_PATH|O_NOFOLLOW opens a link swapped in since the fstatat: refuse it.
        struct stat got;
        if (::fstat(fd, &got) == 0 && S_ISLNK(got.st_mode)) {
          ::close(fd);
          return fail(ELOOP);
        }
      }
      return fd;
    }
    UniqueFd next(::openat(here(), part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return -1;
    struct stat st;
    if (::fstat(next.get(), &st) != 0) return -1;
    if (S_ISLNK(st.st_mode)) {
      std::string target;
      if (!read_link(next.get(), "", target)) return -1;
      if (follow(target) != 0) return -1;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR);
    dirs.push_back(std::move(next));
  }
  // The path named the starting directory or one above it ("", ".", "a/..", a link to "/").
  return ::openat(here(), ".", flags | O_CLOEXEC, mode);
}

int openat_resolved(int dir_fd, const std::string& path, int flags, Resolve how, mode_t mode) {
  static std::atomic<bool> have_openat2{true};
  if (have_openat2) {
    open_how h{};
    h.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    h.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    h.resolve = how == Resolve::InRoot ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
                                       : RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const char* p = path.empty() ? "." : path.c_str();
    for (int attempt = 0; attempt < 8; ++attempt) {
      long fd = ::syscall(SYS_openat2, dir_fd, p, &h, sizeof h);
      if (fd >= 0) return static_cast<int>(fd);
      // EAGAIN: a rename raced the lookup (RESOLVE_IN_ROOT checks); try again.
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno != ENOSYS) return -1;
      have_openat2 = false;
      break;
    }
    if (have_openat2) return -1;
  }
  return openat_resolved_walk(dir_fd, path, flags, how, mode);
}

UniqueFd open_resolved(int dir_fd, const std::string& root_name, const std::string& path, int flags, Resolve how,
                       mode_t mode) {
  UniqueFd fd(openat_resolved(dir_fd, path, flags, how, mode));
  if (!fd) {
    std::string shown = root_name;
    if (!path.empty() && path[0] != '/') shown += '/';
    throw_sys("cannot open", shown + path, errno, errno == ENOENT ? Exit::NoInput : Exit::BadInput);
  }
  return fd;
}

void push_path_components(std::deque<std::string>& pending, const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  pending.insert(pending.begin(), parts.begin(), parts.end());
}

}  // namespace appv
