#include "vfs/foreign_dirs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "base/scope_guard.h"
#include "base/unique_fd.h"
#include "base/user_dirs.h"
#include "manifests/paths.h"
#include "vfs/sandbox.h"
#include "vfs/view.h"

namespace appv {

CallerIds CallerIds::of_this_process() {
  CallerIds ids;
  ids.uid = ::geteuid();
  ids.gid = ::getegid();
  ids.groups = supplementary_groups();
  return ids;
}

namespace {

bool mapped(const struct stat& st, const CallerIds& ids) { return st.st_uid == ids.uid && st.st_gid == ids.gid; }

// Whether `ids` may create entries in the directory `st` (write and search), as the
// kernel's permission check reads the mode: the owner's bits, else the group's, else
// the others'.
bool may_create_in(const struct stat& st, const CallerIds& ids) {
  const mode_t want_owner = S_IWUSR | S_IXUSR, want_group = S_IWGRP | S_IXGRP, want_other = S_IWOTH | S_IXOTH;
  if (st.st_uid == ids.uid) return (st.st_mode & want_owner) == want_owner;
  if (st.st_gid == ids.gid || std::find(ids.groups.begin(), ids.groups.end(), st.st_gid) != ids.groups.end()) {
    return (st.st_mode & want_group) == want_group;
  }
  return (st.st_mode & want_other) == want_other;
}

// Directories looked at in one walk, at most: a directory others may write into is
// not descended into (what is below /var/tmp is any user's), and what admits a user
// to a directory of another's is an administrator's few, not thousands.
constexpr size_t kWalkBudget = 4096;

struct Walk {
  const CallerIds& ids;
  std::vector<ForeignDir> found;
  std::set<std::string> listed;
  size_t budget = kWalkBudget;

  // The directory `st` at the end of `chain` (the directories from the walk's top
  // down to it, with their modes), `foreign` if it or one above it is another id's.
  void consider(const struct stat& st, const std::vector<ForeignDir>& chain, bool foreign) {
    if (!foreign || !may_create_in(st, ids)) return;
    for (const ForeignDir& dir : chain) {
      if (listed.insert(dir.relative).second) found.push_back(dir);
    }
  }

  void visit(int dir_fd, std::vector<ForeignDir>& chain, bool foreign, int depth_left) {
    DIR* d = ::fdopendir(dir_fd);
    if (!d) {
      ::close(dir_fd);
      return;
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (budget == 0) break;
      --budget;
      struct stat st;
      if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
      const std::string relative = chain.empty() ? name : chain.back().relative + "/" + name;
      chain.push_back({relative, static_cast<mode_t>(st.st_mode & 07777)});
      const bool below_foreign = foreign || !mapped(st, ids);
      consider(st, chain, below_foreign);
      if (depth_left > 1 && !(st.st_mode & S_IWOTH)) {
        const int child = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child >= 0) visit(child, chain, below_foreign, depth_left - 1);
      }
      chain.pop_back();
    }
    ::closedir(d);
  }
};

// What is at `name` in `dir_fd`: a directory (opened), or nothing usable.
UniqueFd open_dir_at(int dir_fd, const std::string& name) {
  return UniqueFd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// The package's layer at `path`: false where it has something other than a
// directory, which it shows over the host's directory; else true, with the mode of
// its directory there (which the view shows) in `mode`.
bool package_shows_dir(const std::string& path, mode_t& mode) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return false;
  mode = st.st_mode & 07777;
  return true;
}

// Makes upper/<view>/<dir.relative> and the directories between, stopping without a
// word where the view would not show the host's directory, or where the app's own
// upper directory does not let its owner make one (it made it read-only). Each is
// made 0700 and added to `made` with its mode, which the caller gives it once every
// directory is made: a parent the host has read-only (0555) must take its children
// first.
using MadeDirs = std::vector<std::pair<UniqueFd, mode_t>>;
void make_in_upper(const std::string& upper, const std::string& view, const ForeignDir& dir,
                   const std::vector<ForeignDir>& all, const std::string& package_root, MadeDirs& made) {
  UniqueFd at(::open(upper.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!at || is_opaque_dir(at.get())) return;
  std::string relative;
  for (const std::string& part : split_nonempty(dir.relative, '/')) {
    relative += relative.empty() ? part : "/" + part;
    const std::string in_view = view == "/" ? "/" + relative : view + "/" + relative;
    const auto it = std::find_if(all.begin(), all.end(), [&](const ForeignDir& d) { return d.relative == relative; });
    mode_t mode = it != all.end() ? it->mode : 0755;
    if (!package_root.empty() && !package_shows_dir(package_root + in_view, mode)) return;
    UniqueFd next = open_dir_at(at.get(), part);
    if (!next) {
      if (errno != ENOENT) return;  // a whiteout, a link, a file: the app's choice stands
      // EACCES: an upper directory the app made read-only; anything else (ENOSPC)
      // leaves the directory to overlayfs, which fails the write as it would have.
      if (::mkdirat(at.get(), part.c_str(), 0700) != 0 && errno != EEXIST) return;
      next = open_dir_at(at.get(), part);
      if (!next) return;
      made.emplace_back(UniqueFd(::dup(next.get())), mode);
    } else if (is_opaque_dir(next.get())) {
      return;  // the app replaced it: nothing of the host's shows below
    }
    at = std::move(next);
  }
}

// Where writable directories live, by the FHS: the variable data (/var), add-on
// packages (/opt), a site's data (/srv), to two levels (/var/tmp, /var/www/html,
// /var/lib/<app>, /opt/<app>/data); and the local hierarchy, which Debian makes
// group staff's (2775). The rest of the host's trees is static (/usr, /etc). A deeper
// directory a user was given below a directory of another's is not looked for: a
// walk of every tree would cost each launch that builds a view milliseconds.
struct WritableSpot {
  const char* path;
  int depth;
};
constexpr WritableSpot kWritableSpots[] = {{"/var", 2}, {"/opt", 2}, {"/srv", 2}, {"/usr/local", 1}};

int levels(const std::string& path) {
  return path == "/" ? 0 : static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

std::vector<ForeignDir> find_foreign_dirs(const std::string& host_dir, const std::string& below, int depth,
                                          const CallerIds& ids) {
  Walk walk{ids, {}, {}};
  UniqueFd at(::open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!at) return {};
  std::vector<ForeignDir> chain;
  bool foreign = false;
  struct stat st;
  for (const std::string& part : split_nonempty(below, '/')) {
    UniqueFd next(::openat(at.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next || ::fstat(next.get(), &st) != 0) return {};
    chain.push_back({chain.empty() ? part : chain.back().relative + "/" + part, static_cast<mode_t>(st.st_mode & 07777)});
    foreign = foreign || !mapped(st, ids);
    at = std::move(next);
  }
  if (!chain.empty()) walk.consider(st, chain, foreign);
  if (depth >= 1 && (chain.empty() || !(st.st_mode & S_IWOTH))) walk.visit(at.release(), chain, foreign, depth);
  return std::move(walk.found);
}

void make_foreign_dirs_upper(const std::vector<MountOp>& ops, const std::string& package_root, const CallerIds& ids) {
  for (const MountOp& op : ops) {
    if (op.type != MountOp::Type::Overlay || op.lowers.empty()) continue;
    const std::string& host = op.lowers.back();
    if (!package_root.empty() && path_has_prefix(host, package_root)) continue;
    for (const WritableSpot& spot : kWritableSpots) {
      std::vector<ForeignDir> dirs;
      if (path_has_prefix(op.target, spot.path)) {
        // The overlay's own directory is its upper layer's top, made by the plan.
        const int depth = spot.depth - (levels(op.target) - levels(spot.path));
        if (depth >= 1) dirs = find_foreign_dirs(host, "", depth, ids);
      } else if (path_has_prefix(spot.path, op.target)) {
        dirs = find_foreign_dirs(host, std::string(spot.path).substr(op.target == "/" ? 1 : op.target.size() + 1),
                                 spot.depth, ids);
      }
      MadeDirs made;
      // Past the umask, as the overlay shows the upper directory's mode; deepest first.
      ScopeGuard set_modes([&] {
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::fchmod(it->first.get(), it->second);
      });
      for (const ForeignDir& dir : dirs) make_in_upper(op.upper, op.target, dir, dirs, package_root, made);
    }
  }
}

}  // namespace appv
