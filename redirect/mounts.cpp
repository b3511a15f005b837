#include "redirect/mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "base/namespace_support.h"
#include "base/resolve.h"
#include "base/unique_fd.h"
#include "manifests/paths.h"
#include "redirect/shared_overlay.h"

namespace appv {
namespace {

constexpr const char* kBase = "/tmp";  // any directory works: the tmpfs hides it only in this namespace
constexpr const char* kOld = "/oldroot";
constexpr const char* kNew = "/newroot";

int pivot_root(const char* new_root, const char* put_old) {
  return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}

[[noreturn]] void mount_failed(std::string_view what, const std::string& target, int err, const std::string& advice) {
  throw Error(Exit::Environment, fmt::format("cannot mount {} on '{}': {}{}", what, target, errno_text(err),
                                             advice.empty() ? "" : " (" + advice + ")"));
}

[[noreturn]] void mount_failed(std::string_view what, const std::string& target, int err) {
  mount_failed(what, target, err, advice_for(Attempt::Mount, err));
}

// A mount refused outright (EPERM, EACCES) is the host's policy, not this mount's:
// AppArmor's userns restriction, a seccomp filter, a root without CAP_SYS_ADMIN.
[[noreturn]] void mount_refused(NamespaceStep step, int err) {
  throw Error(Exit::Environment, refusal_message(diagnose_refusal_here(step, err)));
}

void do_mount(const char* source, const std::string& target, const char* type, unsigned long flags, const std::string& data,
              std::string_view what) {
  if (::mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0) mount_failed(what, target, errno);
}

std::string host(const std::string& path) { return path == "/" ? std::string(kOld) : std::string(kOld) + path; }
std::string inside(const std::string& path) { return std::string(kNew) + path; }

// A mount made before its op's turn (see premount()): a tree of the shared overlay,
// bound at its place, or an overlay waiting in a parking place, moved there.
struct Premounted {
  std::string path;  // in the scratch root
  bool bind = false;
};

// What applying the ops needs besides the ops.
struct ViewContext {
  const NamespaceState& ns;
  const std::vector<std::string>& host_mounts;
  std::map<size_t, Premounted> premounted;  // by index into the plan's ops
};

// A directory to mount on, where the view has none yet (in the new root's tmpfs, a
// tmpfs just mounted, or an overlay whose upper directory is the app's sandbox).
void make_mount_dir(const std::string& target, const std::string& shown) {
  if (::mkdir(target.c_str(), 0755) != 0 && errno != EEXIST) throw_sys("cannot create mount point", shown, errno);
}

// A bind needs something of the source's kind at the target. Where the view has
// nothing, it is created: in the new root's tmpfs or in an overlay, whose upper
// directory is the app's sandbox, never the host.
// `source_type`: the source's st_mode, asked only when the target is missing.
void ensure_mount_point(const std::function<mode_t()>& source_type, const std::string& target, const std::string& shown) {
  struct stat st;
  if (::lstat(target.c_str(), &st) == 0) return;
  if (errno != ENOENT) throw_sys("cannot inspect mount point", shown, errno, Exit::Environment);
  if (S_ISDIR(source_type())) {
    make_mount_dir(target, shown);
    return;
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno != EEXIST) throw_sys("cannot create mount point", shown, errno);
  if (fd >= 0) ::close(fd);
}

void ensure_mount_point(const std::string& source, const std::string& target, const std::string& shown) {
  ensure_mount_point(
      [&] {
        struct stat st;
        if (::stat(source.c_str(), &st) != 0) throw_sys("cannot inspect", source, errno, Exit::Environment);
        return st.st_mode;
      },
      target, shown);
}

// Recursively: the mounts below it too (mount_setattr, Linux 5.12). Setting a flag
// is allowed on mounts a user namespace inherited locked; only clearing one is not.
void set_attributes(const std::string& target, uint64_t attributes, std::string_view what) {
  mount_attr attr{};
  attr.attr_set = attributes;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) != 0) {
    mount_failed(what, target, errno);
  }
}

void set_read_only(const std::string& target) { set_attributes(target, MOUNT_ATTR_RDONLY, "read-only attribute"); }

bool in_dev(const std::string& path) { return path == "/dev" || path.rfind("/dev/", 0) == 0; }

// A proc of the PID namespace the calling process is in (it must be that namespace's
// init: proc shows the namespace of the process that mounts it). Its kernel-wide
// files are bound read-only over themselves, bubblewrap's list: uid 0 may write
// sysctls and trigger sysrq without any capability.
void mount_proc(const std::string& target) {
  make_mount_dir(target, target);
  if (::mount("proc", target.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    const int err = errno;
    const std::string advice = advice_for(Attempt::ProcMount, err);
    throw Error(Exit::Environment, fmt::format("cannot mount a new proc on '{}': {}{}", target, errno_text(err),
                                               advice.empty() ? "" : " (" + advice + ")"));
  }
  for (const char* part : {"sys", "sysrq-trigger", "irq", "bus"}) {
    const std::string path = target + "/" + part;
    if (::access(path.c_str(), F_OK) != 0) continue;
    do_mount(path.c_str(), path, nullptr, MS_BIND | MS_REC, {}, "bind of /proc/" + std::string(part));
    set_read_only(path);
  }
}

// What a host-state op leaves at its target before mounting: a directory, an empty
// file, or a link with a given text (the link is the whole op).
struct HostStateEntry {
  enum class Kind { Dir, File, Link } kind;
  std::string link;
};

[[noreturn]] void sandbox_in_the_way(const std::string& target, const std::string& what) {
  throw Error(Exit::BadInput, fmt::format("cannot show the host's '{}': {} in the app's view (appv sandbox reset "
                                          "restores it)", target, what));
}

// The directory holding `target` in the new root, one component at a time with links
// not followed: a parent the view lacks (a `full` /usr without
// /usr/share/ca-certificates) is made, in the sandbox; a link on the way (planted by
// the package, or by the app in its sandbox) is refused, as it could lead into a host
// tree the view shows.
UniqueFd host_state_parent(const std::string& target) {
  const std::string parent_path = target.substr(0, target.rfind('/'));
  UniqueFd parent(::open(kNew, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent) throw_sys("cannot open", kNew, errno, Exit::Environment);
  std::string walked;
  for (size_t start = 1; start <= parent_path.size();) {
    size_t end = parent_path.find('/', start);
    if (end == std::string::npos) end = parent_path.size();
    const std::string part = parent_path.substr(start, end - start);
    walked += "/" + part;
    start = end + 1;
    int fd = ::openat(parent.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (::mkdirat(parent.get(), part.c_str(), 0755) != 0 && errno != EEXIST) throw_sys("cannot create", walked, errno);
      fd = ::openat(parent.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) sandbox_in_the_way(target, "'" + walked + "' is not a directory");
    if (fd < 0) throw_sys("cannot open", walked, errno, Exit::Environment);
    parent = UniqueFd(fd);
  }
  return parent;
}

// Makes `want` the entry at `target`, in its parent directory `parent`. Anything
// else there (the host's link to /usr/share/zoneinfo, a whiteout, the package's file)
// is replaced: the planner places host state only where the parent is an overlay or
// a directory of the sandbox, so the change lands in the app's upper layer, never on
// the host or in the package. A directory in the way is not emptied: it may be the
// app's data.
void make_host_state_entry(int parent, const std::string& target, const HostStateEntry& want) {
  using Kind = HostStateEntry::Kind;
  const std::string name = target.substr(target.rfind('/') + 1);
  struct stat st;
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    const bool fits = want.kind == Kind::Dir    ? S_ISDIR(st.st_mode)
                      : want.kind == Kind::File ? S_ISREG(st.st_mode)
                                                : S_ISLNK(st.st_mode) && [&] {
                                                    char buf[256];
                                                    const ssize_t n = ::readlinkat(parent, name.c_str(), buf, sizeof buf);
                                                    return n >= 0 && std::string(buf, static_cast<size_t>(n)) == want.link;
                                                  }();
    if (fits) return;
    if (S_ISDIR(st.st_mode)) sandbox_in_the_way(target, "a directory is there");
    if (::unlinkat(parent, name.c_str(), 0) != 0) throw_sys("cannot replace", target, errno);
  } else if (errno != ENOENT) {
    throw_sys("cannot inspect mount point", target, errno, Exit::Environment);
  }
  switch (want.kind) {
    case Kind::Dir:
      if (::mkdirat(parent, name.c_str(), 0755) != 0) throw_sys("cannot create mount point", target, errno);
      break;
    case Kind::File: {
      int fd = ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0) throw_sys("cannot create mount point", target, errno);
      ::close(fd);
      break;
    }
    case Kind::Link:
      if (::symlinkat(want.link.c_str(), parent, name.c_str()) != 0) throw_sys("cannot create symlink", target, errno);
      break;
  }
}

// A rule's host tree or file, bound where the host's links led when the plan was made
// and judged (MountOp::exact): the source is opened with no link allowed on its way
// and the mount is made from that descriptor, so a link swapped in since then (by
// another process of the user, or another user in a shared directory) is refused
// rather than followed to a place the policy never saw.
void bind_exactly(const MountOp& op, const std::string& target) {
  UniqueFd old_root(::open(kOld, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!old_root) throw_sys("cannot open", "the host's root", errno, Exit::Environment);
  const std::string relative = op.source == "/" ? "." : op.source.substr(1);
  UniqueFd source(openat_resolved(old_root.get(), relative, O_PATH, Resolve::NoSymlinks));
  if (!source && (errno == ELOOP || errno == EXDEV)) {
    throw Error(Exit::Environment, fmt::format("cannot bind '{}' at '{}': a link appeared on its way since the launch was "
                                               "planned; appv mounts only the place it planned (run again to plan anew)",
                                               op.source, op.target));
  }
  if (!source) throw_sys("cannot open", op.source, errno, Exit::Environment);
  ensure_mount_point(
      [&] {
        struct stat st;
        if (::fstat(source.get(), &st) != 0) throw_sys("cannot inspect", op.source, errno, Exit::Environment);
        return st.st_mode;
      },
      target, op.target);
  // AT_RECURSIVE: submounts come along (MS_BIND | MS_REC), which a user namespace
  // requires for locked mounts.
  UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, source.get(), "",
                                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)));
  if (!tree) mount_failed("bind of " + op.source, op.target, errno);
  if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    mount_failed("bind of " + op.source, op.target, errno);
  }
}

// The host's file or tree `source`, read-only, onto the descriptor's place: the new
// mount API mounts on what the descriptor names, so nothing on the way is followed.
void mount_host_state(const MountOp& op) {
  const std::string source = host(op.source);
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) throw_sys("cannot inspect", op.source, errno, Exit::Environment);
  UniqueFd parent = host_state_parent(op.target);
  make_host_state_entry(parent.get(), op.target,
                        {S_ISDIR(st.st_mode) ? HostStateEntry::Kind::Dir : HostStateEntry::Kind::File, {}});
  const std::string name = op.target.substr(op.target.rfind('/') + 1);
  UniqueFd point(::openat(parent.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!point) throw_sys("cannot open mount point", op.target, errno, Exit::Environment);
  UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(),
                                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
  if (!tree) mount_failed("bind of " + op.source, op.target, errno);
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
  if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
    mount_failed("read-only attribute", op.target, errno);
  }
  if (::syscall(SYS_move_mount, tree.get(), "", point.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    mount_failed("bind of " + op.source, op.target, errno);
  }
}

// Each mount of this process's mount namespace, from `mountinfo` (the process's own
// /proc/self/mountinfo, wherever its proc is): its point and its file system's type.
struct MountEntry {
  std::string point;
  std::string type;
};
std::vector<MountEntry> mount_entries(const std::string& mountinfo) {
  std::vector<MountEntry> out;
  std::ifstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
    // the fifth field, with \ooo escapes, and the first after the " - " separator
    // (proc(5)).
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (!(fields >> id >> parent >> dev >> root >> point)) continue;
    MountEntry entry;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        entry.point += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        entry.point += point[i];
      }
    }
    if (const size_t sep = line.find(" - "); sep != std::string::npos) {
      std::istringstream(line.substr(sep + 3)) >> entry.type;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> mount_points(const std::string& mountinfo) {
  std::vector<std::string> out;
  for (MountEntry& m : mount_entries(mountinfo)) out.push_back(std::move(m.point));
  return out;
}

// Local and kernel file systems, whose lookups the kernel answers from memory or a
// local disk. Any other (NFS, CIFS, 9p, Ceph, FUSE, autofs, or one this list does
// not know) may wait on a server or a daemon.
bool answers_locally(const std::string& type) {
  static const std::unordered_set<std::string> local = {
      "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "bcachefs", "zfs", "vfat", "msdos",
      "exfat", "ntfs3", "hfs", "hfsplus", "iso9660", "udf", "squashfs", "erofs", "overlay", "tmpfs", "ramfs",
      "devtmpfs", "proc", "sysfs", "devpts", "cgroup", "cgroup2", "mqueue", "hugetlbfs", "bpf", "tracefs",
      "debugfs", "securityfs", "pstore", "configfs", "binfmt_misc", "fusectl", "efivarfs", "selinuxfs", "nsfs",
      "rpc_pipefs"};
  return local.count(type) != 0;
}

// A mount of the kernel's own file systems where the host's layout does not put one:
// a procfs outside /proc (a container's read-only binds of /proc/sys and the like are
// in their place), a sysfs outside /sys, a devpts or devtmpfs (a device's node bound
// onto a file: a disk, a terminal) outside /dev, any other (cgroup, mqueue, tracefs,
// ...) outside all three. nsfs (a namespace's name, a file bound by
// `ip netns`) never is one: without a capability it gives nothing.
bool kernel_mount_out_of_place(const std::string& type, const std::string& point) {
  static const std::unordered_set<std::string> kernel = {
      "proc",       "sysfs",  "devpts",  "cgroup",  "cgroup2",     "mqueue",   "bpf",      "tracefs", "debugfs",
      "securityfs", "pstore", "configfs", "binfmt_misc", "fusectl", "efivarfs", "selinuxfs", "rpc_pipefs",
      "smackfs",    "nfsd",   "xenfs",   "devtmpfs"};
  if (kernel.count(type) == 0) return false;
  if (type == "proc") return !path_has_prefix(point, "/proc");
  if (type == "sysfs") return !path_has_prefix(point, "/sys");
  if (type == "devpts" || type == "devtmpfs") return !path_has_prefix(point, "/dev");
  return !path_has_prefix(point, "/proc") && !path_has_prefix(point, "/sys") && !path_has_prefix(point, "/dev");
}

// Why the overlay at `target` over the host's `lowers` under the sandbox's `upper` was
// refused. Names an upper directory on overlayfs (a container's root), or the lower
// directory with a mount below it, from the plan's host mounts or, for one mounted
// since the launch was planned, from this namespace's mounts (the host's below /oldroot,
// its proc too: the view's root holds no proc yet).
[[noreturn]] void overlay_failed(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                                 int err, const NamespaceState& ns, const std::vector<std::string>& host_mounts) {
  std::string lower, submount;
  if (err == EPERM || err == EACCES) mount_refused(NamespaceStep::Overlay, err);
  struct statfs upper_fs {};
  if (err == EINVAL && ::statfs(host(upper).c_str(), &upper_fs) == 0 && upper_fs.f_type == OVERLAYFS_SUPER_MAGIC) {
    mount_failed("overlay", target, err, overlay_upper_advice(upper));
  }
  if (err == EINVAL && ns.user_namespace) {
    std::vector<std::string> now;
    for (const std::string& m : mount_points(host("/proc/self/mountinfo"))) {
      if (path_has_prefix(m, kOld) && m != kOld) now.push_back(m.substr(std::string_view(kOld).size()));
    }
    for (const std::vector<std::string>* mounts : {&host_mounts, static_cast<const std::vector<std::string>*>(&now)}) {
      for (const std::string& l : lowers) {
        for (const std::string& m : *mounts) {
          if (submount.empty() && m != l && path_has_prefix(m, l)) lower = l, submount = m;
        }
      }
    }
  }
  mount_failed("overlay", target, err, overlay_advice(err, ns.user_namespace, lower, submount));
}

// An overlay of `lowers` (host paths, top first) with, below them, `own_layer` (a path
// in the new root, or "") under the sandbox's `upper`, mounted at `mount_point` (a
// path in the scratch root: the view's `op_target`, or a parking place).
void mount_overlay_at(const std::string& mount_point, const std::string& op_target, const std::vector<std::string>& lowers,
                      const std::string& own_layer, const std::string& upper, const std::string& work,
                      const NamespaceState& ns, const std::vector<std::string>& host_mounts) {
  std::string data = "lowerdir=";
  for (const std::string& l : lowers) data += escape_overlay_path(host(l)) + ":";
  if (!own_layer.empty()) data += escape_overlay_path(own_layer) + ":";
  data.pop_back();
  data += fmt::format(",upperdir={},workdir={}", escape_overlay_path(host(upper)), escape_overlay_path(host(work)));
  // Inside a user namespace trusted.* xattrs are out of reach; userxattr keeps
  // whiteouts and opaque directories in user.overlay.* instead.
  if (ns.user_namespace) data += ",userxattr";
  if (::mount("overlay", mount_point.c_str(), "overlay", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
    overlay_failed(op_target, lowers, upper, errno, ns, host_mounts);
  }
}

void mount_overlay(const std::string& op_target, const std::vector<std::string>& lowers, const std::string& own_layer,
                   const std::string& upper, const std::string& work, const NamespaceState& ns,
                   const std::vector<std::string>& host_mounts) {
  mount_overlay_at(inside(op_target), op_target, lowers, own_layer, upper, work, ns, host_mounts);
}

// A host file directly in a split directory is copied into the split's tmpfs layer,
// so that the app's writes copy it up into its sandbox like any lower file, when it is
// small (dotfiles, a container's /etc/hosts). Past these sizes it is bound read-only:
// a directory of many large files (driver libraries bound one by one into a
// container's /usr/lib) would otherwise be copied into memory at every launch.
constexpr off_t kSplitCopyMaxFile = 1 << 20;
constexpr off_t kSplitCopyMaxTotal = 8 << 20;

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot write", path, errno);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Copies the host's regular file `from` (not through a final symlink) to the new file
// `to`, with its permission bits (set-id bits dropped), times and, where they are
// mapped, owners. Returns false, leaving nothing at `to`, when `from` is not a regular
// file, cannot be read, or holds more than `budget` or kSplitCopyMaxFile bytes; takes
// what it copied from `budget`.
bool copy_small_file(const std::string& from, const std::string& to, off_t& budget) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat st;
  if (!in || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const off_t limit = std::min(kSplitCopyMaxFile, budget);
  if (st.st_size > limit) return false;
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw_sys("cannot create", to, errno);
  off_t copied = 0;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || copied + n > limit) {  // unreadable after all, or grown since fstat
      ::unlink(to.c_str());
      return false;
    }
    if (n == 0) break;
    write_all(out.get(), buf, static_cast<size_t>(n), to);
    copied += n;
  }
  if (::fchmod(out.get(), st.st_mode & 0777) != 0) throw_sys("cannot set the mode of", to, errno);
  // As root the host's owner; in a user namespace only the caller's own ids exist,
  // and the copy stays the caller's.
  (void)!::fchown(out.get(), st.st_uid, st.st_gid);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  (void)!::futimens(out.get(), times);
  budget -= copied;
  return true;
}

void apply_ops(const std::vector<MountOp>& ops, size_t begin, size_t end, const ViewContext& ctx);

// Fills a split's tmpfs layer at `target` (a path in the new root) with its entries;
// returns those to bind read-only once the overlay is on top (files too large to copy).
std::vector<const SplitEntry*> fill_split_layer(const MountOp& op, const std::string& target) {
  off_t budget = kSplitCopyMaxTotal;
  std::vector<const SplitEntry*> bound;
  for (const SplitEntry& e : op.entries) {
    // The plan's names come from reading the host's directory; one that could lead
    // elsewhere is a bug.
    if (e.name.empty() || e.name == "." || e.name == ".." || e.name.find('/') != std::string::npos) {
      throw Error(Exit::Internal, fmt::format("split of '{}': bad entry name '{}'", op.target, e.name));
    }
    const std::string path = target + "/" + e.name;
    const std::string shown = op.target + "/" + e.name;
    if (e.kind == NodeKind::Dir) {
      if (::mkdir(path.c_str(), 0755) != 0) throw_sys("cannot create mount point", shown, errno);
    } else if (e.kind == NodeKind::Symlink) {
      if (::symlink(e.link.c_str(), path.c_str()) != 0) throw_sys("cannot create symlink", shown, errno);
    } else if (e.source.empty() || !copy_small_file(host(e.source), path, budget)) {
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
      if (!fd) throw_sys("cannot create mount point", shown, errno);
      if (!e.source.empty()) bound.push_back(&e);
    }
  }
  return bound;
}

// Moves the mount at `from` to `to`, creating `to` (a directory or a file, as the
// mount's root is) when `create`.
void move_mount_to(const std::string& from, const std::string& to, bool create, const std::string& shown) {
  if (create) {
    struct stat st;
    if (::stat(from.c_str(), &st) != 0) throw_sys("cannot inspect", shown, errno, Exit::Environment);
    if (S_ISDIR(st.st_mode)) {
      make_mount_dir(to, to);
    } else {
      UniqueFd fd(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (!fd) throw_sys("cannot create", to, errno);
    }
  }
  do_mount(from.c_str(), to, nullptr, MS_MOVE, {}, "move of " + shown);
}

// A directory split around the host's mounts below it (ops[at], MountOp::Type::Split)
// with the ops that place its host entries, ops[at + 1, end):
// 1. a tmpfs at its place holding its own layer (links, copies, mount points);
// 2. the placing ops, mounted on that tmpfs. They come before the split's overlay:
//    their upper directories lie inside its upper directory, and overlayfs warns of an
//    upper directory below one another mount already uses ("upperdir is in-use ...",
//    an error where its index feature is on), not of one above;
// 3. those mounts parked in the scratch root, the overlay mounted over the tmpfs
//    (its lowest layer, of which it keeps a clone), the mounts moved back onto it;
// 4. the host's files too large to copy bound read-only over their places.
// A nested split parks only its overlay: its tmpfs stays below, covered.
void mount_split(const std::vector<MountOp>& ops, size_t at, size_t end, const ViewContext& ctx) {
  const NamespaceState& ns = ctx.ns;
  const std::vector<std::string>& host_mounts = ctx.host_mounts;
  static int parking = 0;
  const MountOp& op = ops[at];
  const std::string target = inside(op.target);
  make_mount_dir(target, op.target);
  do_mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", "tmpfs (split layer)");
  const std::vector<const SplitEntry*> bound = fill_split_layer(op, target);
  apply_ops(ops, at + 1, end, ctx);
  std::vector<std::pair<std::string, std::string>> parked;  // the view's path, the parking place
  std::set<std::string> seen;
  for (size_t i = at + 1; i < end; ++i) {
    const MountOp& child = ops[i];
    const std::string& t = child.target;
    if (child.type == MountOp::Type::Dir || child.type == MountOp::Type::Symlink) continue;
    if (t.substr(0, t.find_last_of('/')) != op.target || !seen.insert(t).second) continue;
    parked.emplace_back(inside(t), "/split-parking." + std::to_string(parking++));
    move_mount_to(parked.back().first, parked.back().second, true, t);
  }
  mount_overlay(op.target, op.lowers, target, op.upper, op.work, ns, host_mounts);
  for (const auto& [place, park] : parked) move_mount_to(park, place, false, place.substr(std::string_view(kNew).size()));
  for (const SplitEntry* e : bound) {
    const std::string place = target + "/" + e->name;
    do_mount(host(e->source).c_str(), place, nullptr, MS_BIND | MS_REC, {}, "bind of " + e->source);
    set_attributes(place, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, "read-only attribute");
  }
}

// An empty read-only file bound over `target` (MountOp::Type::HideFile). The file is
// made once in the scratch root, which is "/" while the ops are applied; the binds
// keep it after the scratch root is detached. Nothing there: as for Hide.
void hide_file(const std::string& target) {
  static constexpr const char* kEmptyFile = "/hidden-file";
  const int fd = ::open(kEmptyFile, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (fd < 0) throw_sys("cannot create", fmt::format("{} in the scratch root", kEmptyFile), errno);
  ::close(fd);
  if (::mount(kEmptyFile, target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    if (errno == ENOENT) return;
    mount_failed("an empty file (hiding)", target, errno);
  }
  set_attributes(target, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "read-only attribute");
}

void apply(const MountOp& op, const ViewContext& ctx) {
  const NamespaceState& ns = ctx.ns;
  const std::vector<std::string>& host_mounts = ctx.host_mounts;
  const std::string target = inside(op.target);
  switch (op.type) {
    case MountOp::Type::Dir:
      make_mount_dir(target, op.target);
      break;
    case MountOp::Type::Symlink:
      if (::symlink(op.source.c_str(), target.c_str()) != 0) throw_sys("cannot create symlink", op.target, errno);
      break;
    case MountOp::Type::Bind:
      if (op.exact) {
        bind_exactly(op, target);
      } else {
        ensure_mount_point(host(op.source), target, op.target);
        // MS_REC: submounts come along, which a user namespace requires for locked
        // mounts such as those below /proc and /dev.
        do_mount(host(op.source).c_str(), target, nullptr, MS_BIND | MS_REC, {}, "bind of " + op.source);
      }
      // Device nodes and set-id files count only in /dev: a node planted on a host
      // file system (a container's root below /home, a USB disk) opens nothing here.
      if (!in_dev(op.target)) set_attributes(target, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, "nodev,nosuid attributes");
      break;
    case MountOp::Type::BindReadOnly: {
      do_mount(host(op.source).c_str(), target, nullptr, MS_BIND | MS_REC, {}, "bind of " + op.source);
      set_read_only(target);
      break;
    }
    case MountOp::Type::Hide:
      // A directory the view does not show at all has nothing to hide: a home split
      // around a mount below it shows the host's directories that were there when the
      // launch was planned, and a user's first launch makes appv's own after that.
      if (::mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "mode=0755,size=4k") != 0) {
        if (errno != ENOENT) mount_failed("tmpfs (hiding)", target, errno);
      }
      break;
    case MountOp::Type::HideFile:
      hide_file(target);
      break;
    case MountOp::Type::Tmpfs:
      make_mount_dir(target, op.target);
      do_mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, op.source, "tmpfs");
      break;
    case MountOp::Type::Proc:
      mount_proc(target);
      break;
    case MountOp::Type::HostState:
      mount_host_state(op);
      break;
    case MountOp::Type::HostLink:
      make_host_state_entry(host_state_parent(op.target).get(), op.target, {HostStateEntry::Kind::Link, op.source});
      break;
    case MountOp::Type::Devpts:
      make_mount_dir(target, op.target);
      // ptmxmode: the instance's own ptmx, which /dev/ptmx links to, opens for anyone.
      do_mount("devpts", target, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620", "devpts");
      break;
    case MountOp::Type::Overlay:
      mount_overlay(op.target, op.lowers, {}, op.upper, op.work, ns, host_mounts);
      break;
    case MountOp::Type::Split:
      throw Error(Exit::Internal, "a split is applied with the ops that place its entries (apply_ops)");
  }
}

// A premounted op in its turn: a tree of the shared overlay bound at its place (the
// bind keeps the overlay's nosuid and nodev), or a parked overlay moved there.
void place_premounted(const MountOp& op, const Premounted& pre) {
  if (pre.bind) {
    do_mount(pre.path.c_str(), inside(op.target), nullptr, MS_BIND, {}, "bind of the shared overlay's " + op.target);
  } else {
    do_mount(pre.path.c_str(), inside(op.target), nullptr, MS_MOVE, {}, "move of the overlay of " + op.target);
  }
}

void apply_ops(const std::vector<MountOp>& ops, size_t begin, size_t end, const ViewContext& ctx) {
  for (size_t i = begin; i < end; ++i) {
    if (const auto pre = ctx.premounted.find(i); pre != ctx.premounted.end()) {
      place_premounted(ops[i], pre->second);
      continue;
    }
    if (ops[i].type != MountOp::Type::Split) {
      apply(ops[i], ctx);
      continue;
    }
    const size_t placed_end = i + 1 + ops[i].placed;
    if (placed_end > end) throw Error(Exit::Internal, fmt::format("split of '{}': its ops overrun the plan", ops[i].target));
    mount_split(ops, i, placed_end, ctx);
    i = placed_end - 1;
  }
}

// The shared overlay's work directory, beside the members' (whose parent the launch
// created, private): made here, by root, and used only if it is a directory.
bool make_shared_work_dir(const std::string& work) {
  const std::string path = host(work);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Mounts, in the scratch root, every overlay of the plan before its turn: first each
// one the shared overlay does not serve, in a parking place, then the shared overlay
// (redirect/shared_overlay.h). In that order because the others' upper directories
// lie in the shared one's: the kernel warns of an overlay whose upper directory lies
// below one another mount already uses ("upperdir is in-use", an error where its
// index feature is on), not of one above. If the shared overlay cannot be mounted
// after all, its trees get their own overlays in their turn, as without it.
std::map<size_t, Premounted> premount(const std::vector<MountOp>& ops, const SharedOverlay& shared, const ViewContext& ctx) {
  std::map<size_t, Premounted> out;
  const std::set<size_t> members(shared.members.begin(), shared.members.end());
  for (size_t i = 0; i < ops.size(); ++i) {
    const MountOp& op = ops[i];
    if (op.type != MountOp::Type::Overlay || members.count(i) != 0) continue;
    const std::string park = "/overlay-parking." + std::to_string(out.size());
    make_mount_dir(park, park);
    mount_overlay_at(park, op.target, op.lowers, {}, op.upper, op.work, ctx.ns, ctx.host_mounts);
    out[i] = {park, false};
  }
  const std::string at = "/shared-overlay";
  make_mount_dir(at, at);
  const std::string data = fmt::format("lowerdir={},upperdir={},workdir={}", escape_overlay_path(host("/")),
                                       escape_overlay_path(host(shared.upper)), escape_overlay_path(host(shared.work)));
  if (!make_shared_work_dir(shared.work) || ::mount("overlay", at.c_str(), "overlay", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
    return out;
  }
  for (size_t i : shared.members) out[i] = {at + ops[i].target, true};
  return out;
}

}  // namespace

std::vector<std::string> host_mount_points() { return mount_points("/proc/self/mountinfo"); }

MountPoints read_mount_points(const std::string& mountinfo) {
  MountPoints out;
  for (MountEntry& m : mount_entries(mountinfo)) {
    if (!answers_locally(m.type)) out.may_wait.push_back(m.point);
    if (kernel_mount_out_of_place(m.type, m.point)) out.kernel.push_back(m.point);
    out.all.push_back(std::move(m.point));
  }
  return out;
}

std::string escape_overlay_path(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void enter_view(const Plan& plan, const NamespaceState& ns) {
  // Nothing done here may propagate back to the host's mount namespace. The first
  // mount in the namespace: where the host refuses mounts there, this says why.
  if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
    const int err = errno;
    if (err == EPERM || err == EACCES) mount_refused(NamespaceStep::Mount, err);
    mount_failed("private propagation", "/", err);
  }
  do_mount("tmpfs", kBase, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", "tmpfs (scratch root)");
  if (::chdir(kBase) != 0) throw_sys("cannot enter", kBase, errno, Exit::Environment);
  if (::mkdir("newroot", 0755) != 0 || ::mkdir("oldroot", 0755) != 0) throw_sys("cannot create directory in", kBase, errno);
  if (pivot_root(kBase, "oldroot") != 0) throw_sys("cannot pivot_root into", kBase, errno, Exit::Environment);
  if (::chdir("/") != 0) throw_sys("cannot enter", "/", errno);

  do_mount("tmpfs", kNew, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", "tmpfs (new root)");
  ViewContext ctx{ns, plan.host_mounts, {}};
  // Root's launches: one overlay of the host's "/" for the trees it can serve.
  if (!ns.user_namespace) {
    if (const std::optional<SharedOverlay> shared = plan_shared_overlay(plan)) ctx.premounted = premount(plan.ops, *shared, ctx);
  }
  apply_ops(plan.ops, 0, plan.ops.size(), ctx);
  // The root itself holds only mount points and links: make it read-only so a write
  // there fails loudly instead of vanishing with the namespace.
  do_mount(nullptr, kNew, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, {}, "read-only remount");

  if (::chdir(kNew) != 0) throw_sys("cannot enter", kNew, errno);
  if (pivot_root(".", ".") != 0) throw_sys("cannot pivot_root into", "the new root", errno, Exit::Environment);
  // The old root (scratch tmpfs with the host below) is now stacked on "/": detach it.
  if (::umount2(".", MNT_DETACH) != 0) throw_sys("cannot detach", "the host root", errno, Exit::Environment);
  if (::chdir("/") != 0) throw_sys("cannot enter", "/", errno);
}

}  // namespace appv
