// The supervisor's user-notification half: the hot path calls (opens, stats, access,
// readlink, getcwd) arrive as seccomp user notifications while the caller waits. The
// supervisor reads the path from the caller's memory, translates it, makes the call
// itself on the host path and answers with the result (a stat written into the
// caller's buffer with process_vm_writev, an opened file installed as the caller's
// descriptor), or lets the call run unchanged where the path is its own host path.
// No ptrace stop, no registers: about half the system calls of a stop, and the
// caller cannot swap the path between the check and the use for what is opened here.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/tracing.h"
#include "base/unique_fd.h"
#include "manifests/paths.h"
#include "redirect/proc_links.h"
#include "redirect/supervisor.h"
#include "redirect/tracee_proc.h"

namespace appv {
namespace {

// The path below a kernel place (/proc) as the caller names it: /proc/self and
// /proc/thread-self are the caller's, not the supervisor's.
std::string as_caller(const std::string& real, pid_t tid) {
  const auto below = [&](const std::string& prefix) {
    return real.compare(0, prefix.size(), prefix) == 0 && (real.size() == prefix.size() || real[prefix.size()] == '/');
  };
  if (!below("/proc/self") && !below("/proc/thread-self")) return real;
  const pid_t tgid = status_field(tid, "Tgid");
  if (below("/proc/self")) return fmt::format("/proc/{}{}", tgid > 0 ? tgid : tid, real.substr(10));
  return fmt::format("/proc/{}/task/{}{}", tgid > 0 ? tgid : tid, tid, real.substr(17));
}

// Whether `real` is the entry `name` (one component) of the host directory `dir`.
bool is_entry_of(const std::string& real, const std::string& dir, const std::string& name) {
  if (dir.empty() || name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) return false;
  return real.size() == dir.size() + 1 + name.size() && real.compare(0, dir.size(), dir) == 0 &&
         real[dir.size()] == '/' && real.compare(dir.size() + 1, std::string::npos, name) == 0;
}

// fstatat(2) of the translated path, or the translator's own lstat of it when that is
// the answer: the entry itself (not a link), or a link not followed.
int stat_of(const Translation& t, const char* real, struct stat* st, int flags) {
  if (t.have_stat && ((flags & AT_SYMLINK_NOFOLLOW) || !S_ISLNK(t.st.st_mode))) {
    *st = t.st;
    return 0;
  }
  return ::fstatat(AT_FDCWD, real, st, flags);
}

// The flags of a notified open(2) or openat(2); -1 for another call.
int open_flags(const UserNotification& n) {
#ifdef SYS_open
  if (n.nr == SYS_open) return static_cast<int>(n.args[1]);
#endif
  return n.nr == SYS_openat ? static_cast<int>(n.args[2]) : -1;
}

// An open for reading a file's content: not O_PATH, not for writing.
bool opens_to_read(const UserNotification& n) {
  const int flags = open_flags(n);
  return flags >= 0 && (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_PATH | O_EXCL | O_TRUNC | O_DIRECTORY));
}

// An open that neither creates nor truncates nor writes: for reading, or O_PATH.
bool opens_without_effect(const UserNotification& n) {
  const int flags = open_flags(n);
  return flags >= 0 && (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_CREAT | O_TRUNC)) &&
         (flags & O_TMPFILE) != O_TMPFILE;
}

// The whole of a /proc file (its size is 0 in stat: read until the end).
bool read_proc_file(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

// /proc/PID/maps and smaps: their text with the view's paths, in a read-only memfd.
// The kernel's file is generated as it is read; this one is the map at open time,
// which is what a reader that reads it whole (all of them) sees anyway.
void Supervisor::answer_maps(const UserNotification& n, const std::string& real, bool cloexec) {
  std::string text;
  if (!read_proc_file(real, text)) return notifications_->let_run(n.id);  // the kernel's own answer
  if (!notifications_->still_waiting(n.id)) return;  // the pid may be another's now
  const std::string shown = maps_in_view(text, [&](const std::string& path) { return view_.view_path_of(path); });
  UniqueFd memfd(::memfd_create("maps", MFD_CLOEXEC));
  if (!memfd) return notifications_->answer(n.id, -errno);
  try {
    write_all(memfd.get(), shown.data(), shown.size(), "a memfd");
  } catch (const Error&) {
    return notifications_->answer(n.id, -ENOMEM);  // a memfd fails to grow for want of memory
  }
  // Read-only, as the kernel's: a write through it fails (EBADF), and its mode says so.
  ::fchmod(memfd.get(), 0444);
  UniqueFd readonly(::open(fmt::format("/proc/self/fd/{}", memfd.get()).c_str(), O_RDONLY | O_CLOEXEC));
  if (!readonly) return notifications_->answer(n.id, -errno);
  if (const int err = notifications_->answer_with_fd(n.id, readonly.get(), cloexec); err != 0 && err != ENOENT) {
    notifications_->answer(n.id, -err);
  }
}

void Supervisor::answer(const UserNotification& n) {
  const std::optional<PathCall> call = describe_path_call(n.nr, n.args);
  if (call && call->kind == PathCallKind::Getcwd) return answer_getcwd(n);
  if (call && call->kind == PathCallKind::SocketName) {
    const std::optional<UnixAddress> name =
        socket_name_in_view(n.pid, static_cast<int>(n.args[0]), n.nr == SYS_getpeername);
    if (!name) return notifications_->let_run(n.id);
    if (!notifications_->still_waiting(n.id)) return;  // its memory may be another's now
    const int err = write_socket_name(n.pid, n.args[1], n.args[2], *name);
    return notifications_->answer(n.id, err != 0 ? -err : 0);
  }
  if (call && call->paths.size() == 1 && (call->kind == PathCallKind::Plain || call->kind == PathCallKind::Readlink)) {
    return answer_path_call(n, *call);
  }
  notifications_->let_run(n.id);  // not one the filter notifies
}

void Supervisor::answer_getcwd(const UserNotification& n) {
  const std::string real = read_link(fmt::format("/proc/{}/cwd", n.pid));
  if (!notifications_->still_waiting(n.id)) return;
  const std::string view = view_.view_path_of(real);
  if (view.empty() || view == real) return notifications_->let_run(n.id);  // the kernel's answer is the view's
  if (view.size() + 1 > n.args[1]) return notifications_->answer(n.id, -ERANGE);
  if (!write_tracee(n.pid, n.args[0], view.c_str(), view.size() + 1)) return notifications_->answer(n.id, -EFAULT);
  notifications_->answer(n.id, static_cast<int64_t>(view.size() + 1));
}

void Supervisor::answer_path_call(const UserNotification& n, const PathCall& call) {
  const uint64_t* a = n.args;
  const PathArg& arg = call.paths[0];
  const std::string given = read_tracee_string(n.pid, a[arg.path_arg]);
  std::string path, through;
  const int dirfd = arg.dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(a[arg.dirfd_arg]);
  const int named = view_path(n.pid, given, dirfd, path, &through);
  // What was read is the caller's only if it still waits: else its pid may be another's.
  // A lookup changes nothing before it writes the caller's memory or opens a file for
  // it, and is confirmed then; a call that may change the view, before the translation.
  const bool lookup = arg.intent == Intent::Lookup;
  bool confirmed = false;
  const auto still_waiting = [&] { return confirmed || (confirmed = notifications_->still_waiting(n.id)); };
  if (!lookup && !still_waiting()) return;
  // An empty or unreadable path, or one relative to a descriptor that is no
  // directory: the kernel gives the caller its own answer (ENOENT, EFAULT, ENOTDIR).
  // One relative to a directory the supervisor cannot name fails (view_path).
  if (named < 0) return notifications_->let_run(n.id);
  if (named > 0) return notifications_->answer(n.id, -named);
  if (call.kind == PathCallKind::Readlink) {
    // /proc/self/exe names the program the process runs in the view, not the loader.
    if (const pid_t whose = exe_link_owner(given, n.pid); whose > 0) {
      const std::string exe = program_of(whose);
      if (!exe.empty()) {
        if (!still_waiting()) return;
        const uint64_t size = std::min<uint64_t>(a[arg.path_arg + 2], exe.size());
        if (!write_tracee(n.pid, a[arg.path_arg + 1], exe.data(), size)) return notifications_->answer(n.id, -EFAULT);
        return notifications_->answer(n.id, static_cast<int64_t>(size));
      }
    }
  }
  // /proc/self/root, cwd and fd/N lead into the view here too (translate_for): a path
  // the kernel would resolve on the host is answered by its view path, never let run.
  const Translation t = translate_for(n.pid, path, arg.intent, arg.follow);
  if (t.error) return notifications_->answer(n.id, -t.error);
  if (t.done) return notifications_->answer(n.id, 0);
  // Only a kernel place's /proc/self names another process here than in the caller;
  // named lexically as the kernel resolves it (/proc/./self/../PID/maps): /proc has no
  // links but self and thread-self, which as_caller puts the caller's pid in for.
  const ViewPlace* place = t.real.compare(0, 5, "/proc") == 0 ? view_.table().covering(t.view_path) : nullptr;
  const std::string real = place && place->kernel ? as_caller(normalize_absolute(t.real), n.pid) : t.real;
  // The supervisor's own /proc entries, whatever the way there (relative to a /proc
  // directory, through a link, another procfs's mount): opened, read or stat'ed here,
  // they would be the supervisor's own memory, descriptors and maps, which the kernel
  // refuses the app (the supervisor is not dumpable). Only a call let run as made is
  // the kernel's to judge.
  const bool own_proc = passes_through_own_proc(real);
  if (own_proc && call.kind == PathCallKind::Readlink) return notifications_->answer(n.id, -EACCES);
  if (std::string text; call.kind == PathCallKind::Readlink && proc_link_text(n.pid, t, text)) {
    // /proc/self/cwd, fd/N, /proc/PID/...: the view path, not the host's.
    if (!still_waiting()) return;
    const int size = static_cast<int>(a[arg.path_arg + 2]);
    if (size <= 0) return notifications_->answer(n.id, -EINVAL);
    const size_t shown = std::min(text.size(), static_cast<size_t>(size));
    if (!write_tracee(n.pid, a[arg.path_arg + 1], text.data(), shown)) return notifications_->answer(n.id, -EFAULT);
    return notifications_->answer(n.id, static_cast<int64_t>(shown));
  }
  // The call runs as made where the kernel finds what the view shows: the host's
  // path stands (a place's own link, /proc, merged trees named absolutely), or a
  // lookup names an entry of a directory the supervisor opened for the app (held)
  // and that entry is the one the view shows (in `find`, two calls of three). Else,
  // relative to a stand-in for a merged directory, say, it is answered here. A
  // directory opened is always answered here, to be held.
  const bool opens_dir = t.kind == NodeKind::Dir && (n.nr == SYS_openat
#ifdef SYS_open
                                                      || n.nr == SYS_open
#endif
                                                     );
  if (t.real.compare(0, 6, "/proc/") == 0 && opens_to_read(n)) {
    // The memory map listing names the app's files by their view paths, as in ns
    // (named lexically, as `real` is for a kernel place: no second read of the
    // caller's status).
    const std::string listing =
        place && place->kernel ? real : normalize_absolute(as_caller(normalize_absolute(t.real), n.pid));
    if (is_maps_file(listing)) {
      if (own_proc) return notifications_->answer(n.id, -EACCES);
      return answer_maps(n, listing, (open_flags(n) & O_CLOEXEC) != 0);
    }
  }
  const bool found_there = lookup && is_entry_of(t.real, through, given);
  if (t.real.empty() || (((t.real == path && given[0] == '/') || found_there) && !opens_dir)) {
    return notifications_->let_run(n.id);
  }
  if (own_proc) return notifications_->answer(n.id, -EACCES);
  // An open that reads a file or a directory changes nothing: the descriptor's
  // installation confirms that the caller still waits (ADDFD answers ENOENT if not),
  // and an open dropped then has done no harm. One system call fewer an open.
  if (!(opens_without_effect(n) && (t.kind == NodeKind::File || t.kind == NodeKind::Dir)) && !still_waiting()) return;
  const char* at = real.c_str();
  const auto result = [&](long r) { notifications_->answer(n.id, r < 0 ? -errno : r); };
  const auto written = [&](long r, uint64_t to, const void* data, size_t size) {
    if (r < 0) return notifications_->answer(n.id, -errno);
    notifications_->answer(n.id, write_tracee(n.pid, to, data, size) ? 0 : -EFAULT);
  };
  struct stat st;
  switch (n.nr) {
#ifdef SYS_open
    case SYS_open: return answer_open(n, t, real, static_cast<int>(a[1]), static_cast<mode_t>(a[2]));
    case SYS_stat: return written(stat_of(t, at, &st, 0), a[1], &st, sizeof st);
    case SYS_lstat: return written(stat_of(t, at, &st, AT_SYMLINK_NOFOLLOW), a[1], &st, sizeof st);
    case SYS_access: return result(::syscall(SYS_faccessat2, AT_FDCWD, at, static_cast<int>(a[1]), access_flags(0)));
    case SYS_readlink:
#endif
    case SYS_readlinkat: {
      const int i = n.nr == SYS_readlinkat ? 2 : 1;
      if (static_cast<int>(a[i + 1]) <= 0) return notifications_->answer(n.id, -EINVAL);
      char text[4096];
      const ssize_t len = ::readlink(at, text, sizeof text);
      if (len < 0) return notifications_->answer(n.id, -errno);
      const size_t size = std::min<size_t>(static_cast<size_t>(len), static_cast<size_t>(static_cast<int>(a[i + 1])));
      if (!write_tracee(n.pid, a[i], text, size)) return notifications_->answer(n.id, -EFAULT);
      return notifications_->answer(n.id, static_cast<int64_t>(size));
    }
    case SYS_openat: return answer_open(n, t, real, static_cast<int>(a[2]), static_cast<mode_t>(a[3]));
    case SYS_newfstatat:
      return written(stat_of(t, at, &st, static_cast<int>(a[3])), a[2], &st, sizeof st);
    case SYS_statx: {
      struct statx sx;
      return written(::statx(AT_FDCWD, at, static_cast<int>(a[2]), static_cast<unsigned>(a[3]), &sx), a[4], &sx,
                     sizeof sx);
    }
    case SYS_faccessat:
      return result(::syscall(SYS_faccessat2, AT_FDCWD, at, static_cast<int>(a[2]), access_flags(0)));
    case SYS_faccessat2:
      return result(::syscall(SYS_faccessat2, AT_FDCWD, at, static_cast<int>(a[2]), access_flags(static_cast<int>(a[3]))));
    default: return notifications_->let_run(n.id);
  }
}

int Supervisor::access_flags(int flags) const {
  // access(2) checks with the real ids and, for uid 0, the permitted capabilities,
  // which a root supervisor holds; AT_EACCESS checks with the effective ones, which
  // it dropped (redirect/app_rights.h). The app's ids are the supervisor's.
  return rights_dropped_ ? flags | AT_EACCESS : flags;
}

void Supervisor::answer_open(const UserNotification& n, const Translation& t, const std::string& real, int flags,
                             mode_t mode) {
  const NodeKind kind = t.kind;
  const bool cloexec = (flags & O_CLOEXEC) != 0;
  // Opened close-on-exec here (the caller's flag travels with the answer), and never as
  // the supervisor's controlling terminal.
  const int here = flags | O_CLOEXEC | O_NOCTTY;
  const bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
  const mode_t caller_umask = creates ? umask_of(n.pid) : 0;
  if (kind == NodeKind::Other && !(flags & (O_NONBLOCK | O_PATH))) {
    // A FIFO (or a device) in a layer: its open may wait for the other end, as long
    // as the app likes. A thread of its own waits for it (with the app's rights, as
    // this one has them), so that the supervisor goes on serving the app meanwhile.
    UniqueFd listener(::fcntl(notifications_->fd(), F_DUPFD_CLOEXEC, 0));
    if (!listener) return notifications_->answer(n.id, -errno);
    std::thread([listener = std::move(listener), id = n.id, real, here, mode, cloexec]() mutable {
      UserNotifications answers(std::move(listener));
      const int fd = ::open(real.c_str(), here, mode);
      if (fd < 0) return answers.answer(id, -errno);
      if (const int err = answers.answer_with_fd(id, fd, cloexec); err != 0 && err != ENOENT) answers.answer(id, -err);
      ::close(fd);
    }).detach();
    return;
  }
  const mode_t old_umask = creates ? ::umask(caller_umask) : 0;
  const int fd = ::open(real.c_str(), here, mode);
  const int open_errno = errno;
  if (creates) ::umask(old_umask);
  if (fd < 0) return notifications_->answer(n.id, -open_errno);
  UniqueFd ours(fd);
  // Through a link to the supervisor's own /proc entries (checked on the path before).
  if (is_own_proc_file(fd)) return notifications_->answer(n.id, -EACCES);
  int installed = -1;
  const int err = notifications_->answer_with_fd(n.id, fd, cloexec, &installed);
  // ENOENT: the caller is gone. Any other failure (EMFILE in the caller) is its answer.
  if (err != 0) {
    if (err != ENOENT) notifications_->answer(n.id, -err);
    return;
  }
  // A directory is kept, to name what the app looks up through it (view_path).
  if (kind == NodeKind::Dir) hold_dir(n.pid, installed, std::move(ours), t.view_path, real);
}

}  // namespace appv
