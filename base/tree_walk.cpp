#include "base/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <functional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"

namespace appv {
namespace {

// What a directory is, for the check on the way up and for telling a mount.
struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t mount = 0;  // statx's mount id; 0 where the kernel gives none (before 5.8)
  mode_t mode = 0;

  bool same_node(const Identity& o) const { return dev == o.dev && ino == o.ino; }
  // A bind mount of the same file system keeps st_dev: the mount id tells it.
  bool same_mount(const Identity& o) const { return dev == o.dev && (mount == 0 || o.mount == 0 || mount == o.mount); }
};

bool identify(int fd, Identity& out) {
  struct statx sx;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID, &sx) != 0) {
    return false;
  }
  out.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  out.ino = sx.stx_ino;
  out.mount = (sx.stx_mask & STATX_MNT_ID) != 0 ? sx.stx_mnt_id : 0;
  out.mode = sx.stx_mode;
  return true;
}

// Calls `each(name, d_type)` for every entry of the directory open as `fd` from its
// current offset, "." and ".." left out. Returns 0, or the errno of a failed read.
int for_each_entry(int fd, const std::function<void(std::string, unsigned char)>& each) {
  alignas(dirent64) char buf[32768];
  for (;;) {
    const ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + off);
      off += e->d_reclen;
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") each(std::string(name), e->d_type);
    }
  }
}

// A path for a one-line message: a deep tree's paths run to kilobytes.
std::string shortened(const std::string& path) {
  constexpr size_t kHead = 120, kTail = 100;
  if (path.size() <= kHead + kTail + 5) return path;
  return path.substr(0, kHead) + "/.../" + path.substr(path.size() - kTail);
}

enum class Purpose { Remove, Measure };

// One walk of one tree, depth first, holding one directory open at a time.
class TreeWalk {
 public:
  TreeWalk(Purpose purpose, std::string shown_parent) : purpose_(purpose), shown_parent_(std::move(shown_parent)) {}

  // The directory holding the tree: links above it are trusted, and the tree must be
  // on its mount. False (measuring) when it cannot be inspected.
  bool hold_parent(int parent) {
    if (identify(parent, outer_)) return true;
    if (measuring()) return false;
    fail_at(shown_parent_, "cannot inspect", errno);
  }

  // Walks the entry `name` of `parent` (hold_parent first): removes it, or counts it.
  void run(int parent, const std::string& name) {
    UniqueFd cur;
    Identity id;
    switch (open_dir(parent, name, cur, id)) {
      case Found::Gone:
      case Found::Skipped: return;
      case Found::NotDir:
        if (removing()) unlink_file(parent, name);
        return;
      case Found::Dir: break;
    }
    frames_.push_back(Frame{id, name, {}});
    read_entries(cur.get());
    for (;;) {
      if (!frames_.back().subdirs.empty()) {
        const std::string child = std::move(frames_.back().subdirs.back());
        frames_.back().subdirs.pop_back();
        UniqueFd next;
        switch (open_dir(cur.get(), child, next, id)) {
          case Found::Gone:
          case Found::Skipped: continue;
          case Found::NotDir:  // a link or file now: an entry like others, never followed
            if (removing()) unlink_file(cur.get(), child);
            continue;
          case Found::Dir: break;
        }
        cur = std::move(next);
        frames_.push_back(Frame{id, child, {}});
        read_entries(cur.get());
        continue;
      }
      if (frames_.size() == 1) break;
      // Done here: up to the parent, which must be the directory this one was entered
      // from. Another one means the tree was moved meanwhile, and going on would walk
      // (and empty) wherever it went.
      UniqueFd up(::openat(cur.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!up) {
        if (measuring()) return;
        fail("cannot open", "..", errno);
      }
      Identity up_id;
      if (!identify(up.get(), up_id) || !up_id.same_node(frames_[frames_.size() - 2].id)) {
        if (measuring()) return;
        const std::string here = current_path();
        throw Error(Exit::Io,
                    fmt::format("cannot remove '{}': it was moved while appv removed it (something is still writing there)",
                                shortened(here)),
                    "cannot remove", here, 0);
      }
      const std::string done = std::move(frames_.back().name);
      frames_.pop_back();
      cur = std::move(up);
      if (removing() && ::unlinkat(cur.get(), done.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        fail("cannot remove", done, errno);
      }
    }
    cur.reset();
    frames_.clear();
    if (removing() && ::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      fail("cannot remove", name, errno);
    }
  }

  enum class Found { Dir, Gone, NotDir, Skipped };

  // Opens the directory `name` of `parent` to read it. Removing, its owner is given
  // rwx first if it lacks any (0000, a read-only package directory): through an O_PATH
  // descriptor, so the chmod acts on exactly the inode that was opened without
  // following a link, never on one swapped in at `name` since. Measuring, what cannot
  // be read and searched is Skipped.
  Found open_dir(int parent, const std::string& name, UniqueFd& out, Identity& id) {
    UniqueFd node(::openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!node) {
      const int err = errno;
      if (err == ENOENT) return Found::Gone;
      if (err == ENOTDIR || err == ELOOP) return Found::NotDir;
      if (measuring()) return Found::Skipped;
      fail("cannot open", name, err);
    }
    if (!identify(node.get(), id)) {
      if (measuring()) return Found::Skipped;
      fail("cannot inspect", name, errno);
    }
    if (!id.same_mount(outer_)) {
      if (measuring()) return Found::Skipped;
      const std::string path = path_of(name);
      throw Error(Exit::Io,
                  fmt::format("cannot remove '{}': a file system is mounted there (appv does not remove across mounts; "
                              "unmount it first)",
                              shortened(path)),
                  "cannot remove", path, EXDEV);
    }
    if (removing() && (id.mode & S_IRWXU) != S_IRWXU) {
      // Best effort: when this process may not (not the owner), opening or emptying
      // the directory fails below and says why.
      ::chmod(fmt::format("/proc/self/fd/{}", node.get()).c_str(), S_IRWXU);
    }
    // "." from the O_PATH descriptor: the same inode, opened for reading; the lookup
    // needs search permission, so a directory opened here can be read and searched.
    out.reset(::openat(node.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!out) {
      if (measuring()) return Found::Skipped;
      fail("cannot open", name, errno);
    }
    return Found::Dir;
  }

  uint64_t bytes() const { return bytes_; }

 private:
  struct Frame {
    Identity id;
    std::string name;                  // in the directory above (the tree's own name for the first)
    std::vector<std::string> subdirs;  // directories in it still to visit
  };

  bool removing() const { return purpose_ == Purpose::Remove; }
  bool measuring() const { return purpose_ == Purpose::Measure; }

  // The current directory's entries: removing, every one but directories goes now;
  // measuring, regular files are counted. Directories are kept for later.
  void read_entries(int dir) {
    Frame& frame = frames_.back();
    const int err = for_each_entry(dir, [&](std::string name, unsigned char type) {
      if (measuring()) {
        struct stat st;
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
        if (S_ISDIR(st.st_mode)) frame.subdirs.push_back(std::move(name));
        else if (S_ISREG(st.st_mode)) bytes_ += static_cast<uint64_t>(st.st_size);
        return;
      }
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
          if (errno == ENOENT) return;
          fail("cannot inspect", name, errno);
        }
        type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
      }
      if (type == DT_DIR) frame.subdirs.push_back(std::move(name));
      else if (!unlink_file(dir, name)) frame.subdirs.push_back(std::move(name));
    });
    if (err != 0 && removing()) fail_at(current_path(), "cannot list", err);
  }

  // Unlinks what is not a directory; false if it is one (it became one since it was
  // listed).
  bool unlink_file(int dir, const std::string& name) {
    if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return true;
    if (errno == EISDIR) return false;
    fail("cannot remove", name, errno);
  }

  // The path of the current directory (or of the parent of the tree, before it is
  // entered), for messages only: no call is made with it.
  std::string current_path() const {
    std::string path = shown_parent_;
    for (const Frame& f : frames_) path += "/" + f.name;
    return path;
  }
  std::string path_of(const std::string& name) const { return current_path() + "/" + name; }

  [[noreturn]] void fail(std::string_view op, const std::string& name, int err) const { fail_at(path_of(name), op, err); }
  [[noreturn]] static void fail_at(const std::string& path, std::string_view op, int err) {
    throw Error(Exit::Io, fmt::format("{} '{}': {}", op, shortened(path), errno_text(err)), std::string(op), path, err);
  }

  const Purpose purpose_;
  const std::string shown_parent_;
  Identity outer_;
  std::vector<Frame> frames_;
  uint64_t bytes_ = 0;
};

// `path` as the directory holding it (opened O_PATH, links followed: appv's own) and
// its last name. False when the directory does not exist.
bool split_path(const std::string& path, UniqueFd& parent, std::string& parent_path, std::string& name) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  name = p.substr(p.find_last_of('/') + 1);
  if (name.empty() || name == "." || name == "..") {
    throw Error(Exit::Internal, fmt::format("cannot remove '{}': it names no entry of a directory", path));
  }
  parent_path = parent_dir(p);
  parent.reset(::open(parent_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (parent) return true;
  if (errno == ENOENT) return false;
  throw_sys("cannot open", parent_path, errno);
}

}  // namespace

void remove_tree(const std::string& path) {
  UniqueFd parent;
  std::string parent_path, name;
  if (split_path(path, parent, parent_path, name)) remove_tree_at(parent.get(), name, parent_path);
}

void remove_tree_quietly(const std::string& path) noexcept {
  try {
    remove_tree(path);
  } catch (...) {
  }
}

void remove_tree_at(int dir_fd, const std::string& name, const std::string& shown_dir) {
  TreeWalk walk(Purpose::Remove, shown_dir);
  walk.hold_parent(dir_fd);
  walk.run(dir_fd, name);
}

UniqueFd open_dir_for_removal(int dir_fd, const std::string& name, const std::string& shown_dir) {
  TreeWalk walk(Purpose::Remove, shown_dir);
  walk.hold_parent(dir_fd);
  UniqueFd fd;
  Identity id;
  switch (walk.open_dir(dir_fd, name, fd, id)) {
    case TreeWalk::Found::Dir: return fd;
    case TreeWalk::Found::NotDir: throw_sys("cannot open", shown_dir + "/" + name, ENOTDIR);
    case TreeWalk::Found::Gone:
    case TreeWalk::Found::Skipped: break;
  }
  return {};
}

std::vector<std::string> entry_names(int dir_fd, const std::string& shown) {
  std::vector<std::string> names;
  if (const int err = for_each_entry(dir_fd, [&](std::string name, unsigned char) { names.push_back(std::move(name)); })) {
    throw_sys("cannot list", shortened(shown), err);
  }
  return names;
}

uint64_t tree_bytes(const std::string& dir) {
  UniqueFd parent;
  std::string parent_path, name;
  try {
    if (!split_path(dir, parent, parent_path, name)) return 0;
  } catch (const Error&) {
    return 0;
  }
  TreeWalk walk(Purpose::Measure, parent_path);
  if (!walk.hold_parent(parent.get())) return 0;
  walk.run(parent.get(), name);
  return walk.bytes();
}

}  // namespace appv
