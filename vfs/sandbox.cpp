#include "vfs/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/owned_dirs.h"
#include "base/user_dirs.h"
#include "vfs/host_state_paths.h"
#include "vfs/layout.h"
#include "manifests/manifest.h"
#include "manifests/paths.h"
#include "manifests/tokens.h"
#include "base/fs_util.h"
#include "base/resolve.h"
#include "base/tree_walk.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

// Walks the upper directory as something the app shapes, maybe while `sandbox diff`
// reads it: each directory is opened below the upper directory's descriptor with no
// link allowed on the way (RESOLVE_NO_SYMLINKS), so a link, also one swapped in for a
// directory mid-walk, is listed as the app's change it is and never followed. One
// directory is open at a time (its entries are looked at, then it is closed before
// the walk goes down), so a tree however deep costs two descriptors; a directory the
// app made unreadable is reported as such ('?') and the walk goes on.
class DiffWalker {
 public:
  DiffWalker(std::string upper, const LowerLayers& lower) : upper_(std::move(upper)), lower_(lower) {}

  std::vector<Change> run() {
    top_ = UniqueFd(::open(upper_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!top_) {
      if (errno == ENOENT) return {};
      throw_sys("cannot open", upper_, errno);
    }
    walk("/", false);
    return std::move(changes_);
  }

 private:
  // The lower node the app saw at `vpath` before its changes, if any.
  std::optional<struct stat> lower(const std::string& vpath) const {
    struct stat st;
    if (!lower_.package_root.empty() && ::lstat((lower_.package_root + vpath).c_str(), &st) == 0) return st;
    for (const std::string& p : lower_.full_prefixes) {
      if (path_has_prefix(vpath, p)) return std::nullopt;
    }
    if (::lstat(vpath.c_str(), &st) == 0) return st;
    return std::nullopt;
  }

  // The upper directory's directory at `vpath`, opened without a link on the way. Empty
  // with errno: ENOENT, ENOTDIR or ELOOP when it went or was replaced since it was
  // looked at, EACCES when the app took the permission away. Other errors throw.
  UniqueFd open_dir(const std::string& vpath) const {
    if (vpath == "/") return UniqueFd(::openat(top_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd dir(openat_resolved(top_.get(), vpath.substr(1), O_RDONLY | O_DIRECTORY, Resolve::NoSymlinks));
    if (!dir && errno != ENOENT && errno != ENOTDIR && errno != ELOOP && errno != EACCES) {
      throw_sys("cannot open", upper_ + vpath, errno);
    }
    return dir;
  }

  struct Entry {
    std::string name;
    struct stat st;
  };

  // The entries of the open directory `dir` (shown as `vdir`), sorted, with what each
  // is; one removed since the listing is left out.
  std::vector<Entry> entries(int dir, const std::string& vdir) const {
    const std::string shown = vdir == "/" ? upper_ : upper_ + vdir;
    std::vector<std::string> names = entry_names(dir, shown);
    std::sort(names.begin(), names.end());
    std::vector<Entry> out;
    for (std::string& name : names) {
      Entry e{std::move(name), {}};
      if (::fstatat(dir, e.name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) == 0) {
        out.push_back(std::move(e));
      } else if (errno != ENOENT) {
        throw_sys("cannot inspect", join(shown, e.name), errno);
      }
    }
    return out;
  }

  // What appv placed in the upper layer to show the host's state (launch/host_state.h):
  // an empty file or directory as a mount point at a host-state path (or the link
  // /etc/mtab), and directories above them holding nothing else. Not a change of the
  // app's; anything else there is, and is listed.
  bool placed_by_appv(const std::string& vpath, const struct stat& st) const {
    if (const HostStatePath* p = host_state_path(vpath)) {
      if (p->kind == HostStatePath::Kind::MountTable) return S_ISLNK(st.st_mode);
      if (S_ISREG(st.st_mode)) return st.st_size == 0;
      if (!S_ISDIR(st.st_mode)) return false;
      const UniqueFd dir = open_dir(vpath);
      return dir && entry_names(dir.get(), upper_ + vpath).empty();
    }
    if (!S_ISDIR(st.st_mode) || !leads_to_host_state(vpath)) return false;
    std::vector<Entry> below;
    {
      const UniqueFd dir = open_dir(vpath);
      if (!dir || is_opaque_dir(dir.get())) return false;
      below = entries(dir.get(), vpath);
    }
    for (const Entry& e : below) {
      if (!placed_by_appv(join(vpath, e.name), e.st)) return false;
    }
    return true;
  }

  void walk(const std::string& vdir, bool all_added) {
    std::vector<Entry> here;
    {
      const UniqueFd dir = open_dir(vdir);
      if (!dir) {
        if (errno == EACCES) changes_.push_back({'?', vdir == "/" ? vdir : vdir + "/"});
        return;
      }
      here = entries(dir.get(), vdir);
    }
    for (const Entry& e : here) {
      const std::string vpath = join(vdir, e.name);
      const struct stat& st = e.st;
      if (placed_by_appv(vpath, st)) continue;
      if (is_whiteout(st)) {
        // One over nothing below hides nothing: appv's own for a full rule on a file
        // the host does not have (yet), not a deletion of the app's.
        if (!all_added && lower(vpath)) changes_.push_back({'D', vpath});
        continue;
      }
      const std::optional<struct stat> below = all_added ? std::nullopt : lower(vpath);
      const mode_t below_mode = below ? below->st_mode : 0;
      if (!S_ISDIR(st.st_mode)) {
        changes_.push_back({below ? 'M' : 'A', vpath});
      } else if (!below) {
        changes_.push_back({'A', vpath + "/"});
        walk(vpath, true);
      } else if (opaque(vpath) || !S_ISDIR(below_mode)) {
        changes_.push_back({S_ISDIR(below_mode) ? 'R' : 'M', vpath + "/"});
        walk(vpath, true);
      } else {
        if ((below_mode & 07777) != (st.st_mode & 07777)) changes_.push_back({'M', vpath + "/"});
        walk(vpath, false);
      }
    }
  }

  // Whether the upper directory's directory at `vpath` is opaque (hides what is below),
  // also one the app made unreadable.
  bool opaque(const std::string& vpath) const {
    const UniqueFd dir(openat_resolved(top_.get(), vpath.substr(1), O_PATH | O_DIRECTORY, Resolve::NoSymlinks));
    return dir && is_opaque_dir(dir.get());
  }

  std::string upper_;
  const LowerLayers& lower_;
  UniqueFd top_;
  std::vector<Change> changes_;
};

bool xattr_is_y(const std::string& path, const char* name) {
  char v[2];
  ssize_t n = ::lgetxattr(path.c_str(), name, v, sizeof v);
  return n == 1 && v[0] == 'y';
}

}  // namespace

std::string sandboxes_root() {
  const std::string base = require_xdg_dir(XdgDir::Data);
  require_own_dirs(base, "appv/sandboxes");
  return base + "/appv/sandboxes";
}

std::string sandbox_dir(const std::string& app_id) {
  if (!valid_app_id(app_id)) throw Error(Exit::Usage, fmt::format("'{}' is not an app id (letters, digits, '.', '_', '-')", app_id));
  return sandboxes_root() + "/" + app_id;
}

std::optional<SandboxState> read_state(const std::string& sandbox) {
  std::ifstream in(layout::state(sandbox));
  if (!in) return std::nullopt;
  SandboxState s;
  std::string line;
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "id") s.app_id = value;
    else if (key == "version") s.version = value;
    else if (key == "digest") s.digest = value;
    else if (key == "full") s.full_prefixes.push_back(value);
  }
  return s;
}

void write_state(const std::string& sandbox, const SandboxState& state) {
  if (read_state(sandbox) == state) return;
  std::string text = fmt::format("id {}\nversion {}\ndigest {}\n", state.app_id, state.version, state.digest);
  for (const std::string& p : state.full_prefixes) text += fmt::format("full {}\n", p);
  write_file_atomic(layout::state(sandbox), text, 0600);
}

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool is_whiteout(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && is_whiteout(st);
}

bool is_opaque_dir(const std::string& path) {
  // trusted.* when appv ran as root, user.* inside a user namespace (userxattr).
  return xattr_is_y(path, "trusted.overlay.opaque") || xattr_is_y(path, "user.overlay.opaque");
}

bool is_opaque_dir(int dir_fd) {
  // fgetxattr refuses an O_PATH descriptor (EBADF): its /proc/self/fd link names the
  // same inode, and getxattr follows it there.
  std::string link;
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    char v[2];
    ssize_t n = ::fgetxattr(dir_fd, name, v, sizeof v);
    if (n < 0 && errno == EBADF) {
      if (link.empty()) link = "/proc/self/fd/" + std::to_string(dir_fd);
      n = ::getxattr(link.c_str(), name, v, sizeof v);
    }
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

std::vector<Change> sandbox_diff(const std::string& sandbox, const LowerLayers& lower) {
  return DiffWalker(layout::upper(sandbox), lower).run();
}

void reset_sandbox(const std::string& sandbox, const std::string& keep) {
  remove_tree(layout::work(sandbox));
  const std::string upper = layout::upper(sandbox);
  if (keep.empty() || keep == "/") {
    if (keep.empty()) remove_tree(upper);
    return;
  }
  // Everything in upper/ goes but the directories leading to `keep` and `keep`, walked
  // down by descriptors as remove_tree walks (the app shaped these directories too).
  UniqueFd top(::open(sandbox.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!top) throw_sys("cannot open", sandbox, errno);
  UniqueFd dir = open_dir_for_removal(top.get(), std::string(layout::kUpper), sandbox);
  std::string shown = upper;
  const std::vector<std::string> parts = split_nonempty(keep, '/');
  for (size_t i = 0; dir && i < parts.size(); ++i) {
    for (const std::string& name : entry_names(dir.get(), shown)) {
      if (name != parts[i]) remove_tree_at(dir.get(), name, shown);
    }
    struct stat st;
    if (::fstatat(dir.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
      remove_tree_at(dir.get(), parts[i], shown);
      return;
    }
    if (i + 1 == parts.size()) return;  // `keep` itself stays as it is
    UniqueFd next = open_dir_for_removal(dir.get(), parts[i], shown);
    dir = std::move(next);
    shown += "/" + parts[i];
  }
}

namespace {

// make_upper_dirs, remembering in `made` the upper directories it found or made (and
// skipping those already there): a plan's directories share their parents.
void make_upper_dirs_in(const std::string& sandbox, const std::string& vpath, const std::string& package_root,
                        std::set<std::string>& made) {
  std::string dir = layout::upper(sandbox);
  // The app writes upper/ and an import fills it: a link (or a file) where appv is
  // about to mount an upper directory would send the app's writes wherever it points.
  auto refuse_non_dir = [&](const std::string& path, const struct stat& st) {
    if (S_ISDIR(st.st_mode)) return;
    throw Error(Exit::BadInput, fmt::format("sandbox '{}': '{}' is {} where appv needs a directory (see appv sandbox reset)",
                                            sandbox, path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory"));
  };
  if (!made.count(dir)) {
    make_dirs(dir, 0755);
    struct stat top;
    if (::lstat(dir.c_str(), &top) != 0) throw_sys("cannot inspect", dir, errno);
    refuse_non_dir(dir, top);
    made.insert(dir);
  }
  std::string v;
  for (const std::string& part : split_nonempty(vpath, '/')) {
    v += "/" + part;
    dir += "/" + part;
    if (made.count(dir)) continue;
    struct stat st;
    if (::lstat(dir.c_str(), &st) == 0) {
      refuse_non_dir(dir, st);
      made.insert(dir);
      continue;
    }
    mode_t mode = 0755;
    if ((!package_root.empty() && ::stat((package_root + v).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ||
        (::stat(v.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
      mode = st.st_mode & 07777;
    }
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_sys("cannot create", dir, errno);
    if (::chmod(dir.c_str(), mode) != 0) throw_sys("cannot set the mode of", dir, errno);  // past the umask
    made.insert(dir);
  }
}

}  // namespace

void make_upper_dirs(const std::string& sandbox, const std::string& vpath, const std::string& package_root) {
  std::set<std::string> made;
  make_upper_dirs_in(sandbox, vpath, package_root, made);
}

void make_plan_dirs(const std::string& sandbox, const std::vector<std::string>& dirs, const std::string& package_root) {
  const std::string upper = layout::upper(sandbox);
  std::set<std::string> made;
  for (const std::string& dir : dirs) {
    if (path_has_prefix(dir, upper)) make_upper_dirs_in(sandbox, dir.substr(upper.size()), package_root, made);
    else make_dirs(dir, 0700);
  }
}

UniqueFd open_upper_parent(const std::string& sandbox, const std::string& path) {
  const std::string upper = layout::upper(sandbox);
  if (!path_has_prefix(path, upper) || path == upper) {
    throw Error(Exit::Internal, fmt::format("'{}' is not in the sandbox's upper directory '{}'", path, upper));
  }
  UniqueFd root(::open(upper.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) throw_sys("cannot open", upper, errno);
  const std::string parent = parent_dir(path.substr(upper.size()));
  UniqueFd dir(openat_resolved(root.get(), parent == "/" ? "." : parent.substr(1), O_PATH | O_DIRECTORY, Resolve::NoSymlinks));
  if (!dir) {
    throw Error(Exit::BadInput, fmt::format("sandbox '{}': cannot open '{}' without following a link: {} (see appv sandbox reset)",
                                            sandbox, upper + parent, std::strerror(errno)));
  }
  return dir;
}

void make_plan_whiteouts(const std::string& sandbox, const std::vector<Whiteout>& whiteouts, const std::string& package_root) {
  const std::string upper = layout::upper(sandbox);
  for (const Whiteout& w : whiteouts) {
    if (!path_has_prefix(w.path, upper) || w.path == upper) continue;
    make_upper_dirs(sandbox, parent_dir(w.path.substr(upper.size())), package_root);
    const UniqueFd dir = open_upper_parent(sandbox, w.path);
    const std::string name = w.path.substr(w.path.rfind('/') + 1);
    struct stat st;
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) continue;  // the app's own
    if (::mknodat(dir.get(), name.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0 && errno != EEXIST) {
      throw_sys("cannot create a whiteout (Linux 5.8 or later makes one without privileges) at", w.path, errno, Exit::Environment);
    }
  }
}

}  // namespace appv
