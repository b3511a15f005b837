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

void PrivateDir::remove_made() noexcept {
  for (auto it = made.rbegin(); it != made.rend(); ++it) ::unlinkat(it->first.get(), it->second.c_str(), AT_REMOVEDIR);
  made.clear();
}

PrivateDir open_private_dir(const std::string& path, std::string_view what, bool make_missing) {
  PrivateDir out;
  out.fd = open_dir(AT_FDCWD, path, 0);
  if (!out.fd) {
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
      out.fd = open_dir(AT_FDCWD, existing, 0);
      if (out.fd) break;
      if (errno != ENOENT) throw_sys("cannot open directory", existing, errno, Exit::CantCreate);
    }
    judge_with_ancestors(out.fd.get(), resolved_name(existing), false, path, what);
    try {
      std::string made_path = existing;
      for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        made_path += "/" + *it;
        // One that appeared meanwhile (made by someone else) is judged before anything
        // is made in it; one made here is the caller's, 0700 whatever the umask.
        const bool made = ::mkdirat(out.fd.get(), it->c_str(), 0700) == 0;
        if (!made && errno != EEXIST) throw_sys("cannot make directory", made_path, errno, Exit::CantCreate);
        int parent = out.fd.get();
        if (made) {
          out.made.emplace_back(std::move(out.fd), *it);
          parent = out.made.back().first.get();
          // No one else writes the parent (judged): the name is still the directory made.
          if (::fchmodat(parent, it->c_str(), 0700, 0) != 0) throw_sys("cannot set the mode of", made_path, errno, Exit::CantCreate);
        }
        UniqueFd next = open_dir(parent, *it, O_NOFOLLOW);
        if (!next) throw_sys("cannot open directory", made_path, errno, Exit::CantCreate);
        if (!made) judge_with_ancestors(next.get(), resolved_name(made_path), false, path, what);
        out.fd = std::move(next);
      }
    } catch (...) {
      out.remove_made();
      throw;
    }
  }
  judge_with_ancestors(out.fd.get(), resolved_name(path), true, path, what);
  // Judged as safe, it must also be the caller's to write (a refusal, not an I/O error).
  if (::faccessat(out.fd.get(), ".", W_OK | X_OK, AT_EACCESS) != 0) {
    const int err = errno;
    out.remove_made();
    throw_sys("cannot write into", path, err, Exit::CantCreate);
  }
  return out;
}

}  // namespace appv
