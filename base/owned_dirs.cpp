#include "base/owned_dirs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

[[noreturn]] void refuse(const std::string& dir, uid_t owner) {
  throw Error(Exit::NoPerm, fmt::format("'{}' belongs to uid {}, not to uid {} running appv: appv keeps its cache, "
                                        "sandboxes and installs only in directories of its own user (check HOME, XDG_CACHE_HOME and XDG_DATA_HOME)",
                                        dir, owner, ::geteuid()));
}

// The owner of `path`, or false when nothing is there.
bool owner_of(const std::string& path, uid_t& owner) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_sys("cannot inspect", path, errno, Exit::Environment);
  }
  owner = st.st_uid;
  return true;
}

}  // namespace

void require_own_dirs(const std::string& base, const std::string& sub) {
  const uid_t me = ::geteuid();
  uid_t owner = 0;
  if (!owner_of(base, owner)) {
    std::string up = base;
    while (up.size() > 1) {
      up = up.substr(0, std::max<size_t>(up.find_last_of('/'), 1));
      if (owner_of(up, owner)) {
        if (owner != me && owner != 0) refuse(up, owner);
        return;
      }
    }
    return;
  }
  if (owner != me) refuse(base, owner);
  std::string dir = base;
  size_t start = 0;
  while (start < sub.size()) {
    size_t end = sub.find('/', start);
    if (end == std::string::npos) end = sub.size();
    if (end > start) {
      dir += "/" + sub.substr(start, end - start);
      if (!owner_of(dir, owner)) return;
      if (owner != me) refuse(dir, owner);
    }
    start = end + 1;
  }
}

}  // namespace appv
