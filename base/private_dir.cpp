#include "base/private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

// Why users other than the caller and root could replace entries of a directory (its
// stat `st`), or nullopt.
std::optional<std::string> others_may_replace(const struct stat& st) {
  if (st.st_uid != ::geteuid() && st.st_uid != 0) return fmt::format("it belongs to uid {}", st.st_uid);
  if (st.st_mode & S_ISVTX) return std::nullopt;  // others may add entries, but not rename or remove the caller's
  if (st.st_mode & S_IWOTH) return fmt::format("others may write it (mode {:04o})", st.st_mode & 07777);
  // The group's write is refused even when the group is the caller's own: whether
  // anyone else is in it cannot be told without the name service, which the static
  // stub (which carries this command) must not load. The same bits are a POSIX ACL's
  // mask (acl(5)), without which no named user or group of the ACL may write: so this
  // also refuses a directory that an ACL opens to others behind private-looking bits.
  if (st.st_mode & S_IWGRP) {
    return fmt::format("mode {:04o} lets its group (gid {}) or users and groups named in an access control list write it",
                       st.st_mode & 07777, st.st_gid);
  }
  return std::nullopt;
}

// Throws unless others_may_replace() finds nothing in the directory open at `fd`
// (named `name`) and each directory above it. `path` and `what` word the message;
// `fd_is_path` says whether `fd` is `path` itself or a directory above it.
void judge_with_ancestors(int fd, std::string name, bool fd_is_path, const std::string& path, std::string_view what) {
  UniqueFd above;
  for (bool first = true;; first = false) {
    struct stat st;
    if (::fstat(fd, &st) != 0) throw_sys("cannot inspect", name, errno, Exit::CantCreate);
    if (std::optional<std::string> why = others_may_replace(st)) {
      const std::string where = first && fd_is_path ? "" : fmt::format("'{}' above it: ", name);
      throw Error(Exit::CantCreate, fmt::format("not writing {} into '{}': {}{}: another user could replace what is "
                                                "written there; use a directory that only you can write, below "
                                                "directories that only you and root can",
                                                what, path, where, *why));
    }
    UniqueFd parent(::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent && errno == EACCES) parent = UniqueFd(::openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!parent) throw_sys("cannot open the directory above", name, errno, Exit::CantCreate);
    struct stat up;
    if (::fstat(parent.get(), &up) != 0) throw_sys("cannot inspect the directory above", name, errno, Exit::CantCreate);
    if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) return;  // the root (of the file system or a chroot)
    above = std::move(parent);
    fd = above.get();
    const size_t slash = name.find_last_of('/');
    name = slash == std::string::npos ? name + "/.." : slash == 0 ? "/" : name.substr(0, slash);
  }
}

std::string resolved_name(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? resolved : path;
}

UniqueFd open_dir(int at, const std::string& path, int flags) {
  UniqueFd dir(::openat(at, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags));
  if (!dir && errno == ENOTDIR) throw Error(Exit::CantCreate, fmt::format("'{}' is not a directory", path));
  return dir;
}

}  // namespace

UniqueFd open_private_dir(const std::string& path, std::string_view what, bool make_missing) {
  UniqueFd dir = open_dir(AT_FDCWD, path, 0);
  if (dir) {
    judge_with_ancestors(dir.get(), resolved_name(path), true, path, what);
    return dir;
  }
  if (errno != ENOENT || !make_missing) throw_sys("cannot open directory", path, errno, Exit::CantCreate);
  // Missing: the nearest directory above that exists is judged, and the rest made
  // (0700) below it through descriptors, so nothing is made under a directory that
  // fails and no directory swapped in meanwhile is followed.
  std::vector<std::string> missing;
  std::string existing = path;
  for (;;) {
    while (existing.size() > 1 && existing.back() == '/') existing.pop_back();
    const size_t slash = existing.find_last_of('/');
    std::string last = slash == std::string::npos ? existing : existing.substr(slash + 1);
    if (last.empty() || last == "." || last == "..") {
      throw Error(Exit::CantCreate, fmt::format("cannot make '{}': a missing directory in it is named '{}'", path, last));
    }
    missing.push_back(std::move(last));
    existing = slash == std::string::npos ? "." : slash == 0 ? "/" : existing.substr(0, slash);
    dir = open_dir(AT_FDCWD, existing, 0);
    if (dir) break;
    if (errno != ENOENT) throw_sys("cannot open directory", existing, errno, Exit::CantCreate);
  }
  judge_with_ancestors(dir.get(), resolved_name(existing), false, path, what);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdirat(dir.get(), it->c_str(), 0700) != 0 && errno != EEXIST) throw_sys("cannot make directory", path, errno, Exit::CantCreate);
    dir = open_dir(dir.get(), *it, O_NOFOLLOW);
    if (!dir) throw_sys("cannot open directory", path, errno, Exit::CantCreate);
  }
  judge_with_ancestors(dir.get(), resolved_name(path), true, path, what);  // one that appeared meanwhile
  return dir;
}

}  // namespace appv
