#include "redirect/path_syscalls.h"

#include <fcntl.h>
#include <sys/syscall.h>

namespace appv {
namespace {

// What an open's flags will do with the file.
PathArg open_arg(int dirfd_arg, int path_arg, uint64_t flags) {
  PathArg a{dirfd_arg, path_arg, Intent::Lookup, (flags & O_NOFOLLOW) == 0};
  if (flags & O_CREAT) {
    a.intent = Intent::Create;
    if (flags & O_EXCL) a.follow = false;
  } else if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) {
    a.intent = Intent::Write;
  }
  return a;
}

PathCall plain(std::vector<PathArg> paths) { return {PathCallKind::Plain, std::move(paths), -1, -1}; }
PathCall fd_write(int fd_arg) { return {PathCallKind::FdWrite, {}, -1, fd_arg}; }
// A socket address at `addr_arg`: bind makes the socket's file (in the sandbox for a
// writecopy or full tree), connect and sendto look one up. A final link is followed
// by connect, not by bind (the kernel answers EADDRINUSE for any existing name).
PathCall socket_address(int addr_arg, int len_arg, Intent intent) {
  return {PathCallKind::Socket, {{-1, addr_arg, intent, intent == Intent::Lookup}}, -1, -1, len_arg};
}

}  // namespace

const std::vector<StoppedCall>& redirected_calls() {
  // The hot calls (opens, stats, access, readlink, getcwd: almost all of what a
  // program's start or a walk of a tree makes) go to the supervisor as user
  // notifications where the kernel can; the rest change the caller's registers
  // (execve), its own state (chdir) or the view (the mutations) and stop for ptrace.
  constexpr bool notify = true;
  static const std::vector<StoppedCall> calls = {
#ifdef SYS_open
      {SYS_open, -1, notify, -1, 1, O_PATH}, {SYS_stat, -1, notify},     {SYS_lstat, -1, notify},
      {SYS_access, -1, notify},   {SYS_readlink, -1, notify},
      {SYS_creat},      {SYS_chmod},    {SYS_chown},     {SYS_lchown},    {SYS_mkdir},    {SYS_rmdir},
      {SYS_unlink},     {SYS_rename},   {SYS_link},      {SYS_symlink},   {SYS_mknod},    {SYS_utimes},
      {SYS_futimesat},  {SYS_utime},
#endif
      {SYS_openat, -1, notify, -1, 2, O_PATH},   {SYS_newfstatat, 3, notify}, {SYS_statx, 2, notify},
      {SYS_faccessat, -1, notify}, {SYS_faccessat2, -1, notify}, {SYS_readlinkat, -1, notify},
      {SYS_getcwd, -1, notify},
      {SYS_openat2},    {SYS_execve},   {SYS_chdir},     {SYS_statfs},    {SYS_truncate},
      {SYS_fchmodat},   {SYS_fchownat}, {SYS_mkdirat}, {SYS_unlinkat},  {SYS_renameat2}, {SYS_linkat},
      {SYS_symlinkat},  {SYS_mknodat},  {SYS_utimensat}, {SYS_getxattr},  {SYS_lgetxattr}, {SYS_setxattr},
      {SYS_lsetxattr},  {SYS_listxattr}, {SYS_llistxattr}, {SYS_removexattr}, {SYS_lremovexattr},
      {SYS_inotify_add_watch}, {SYS_fchmod}, {SYS_fchown}, {SYS_fsetxattr}, {SYS_fremovexattr},
      // execveat with AT_EMPTY_PATH too (fexecve): the descriptor's file runs in the view.
      {SYS_execveat},
      // Unix socket paths. sendto stops only with an address: send() on a connected
      // socket is sendto without one, and a stream's traffic must not stop.
      {SYS_bind}, {SYS_connect}, {SYS_sendto, -1, false, 4},
      // The addresses the kernel hands back name host paths: answered with the view's.
      {SYS_getsockname, -1, notify}, {SYS_getpeername, -1, notify},
#ifdef SYS_renameat
      {SYS_renameat},
#endif
  };
  return calls;
}

std::optional<PathCall> describe_path_call(long nr, const uint64_t (&a)[6], uint64_t open_how_flags) {
  const auto at_nofollow = [&](int arg) { return (a[arg] & AT_SYMLINK_NOFOLLOW) == 0; };
  switch (nr) {
#ifdef SYS_open
    case SYS_open: return plain({open_arg(-1, 0, a[1])});
    case SYS_creat: return plain({open_arg(-1, 0, O_CREAT | O_WRONLY | O_TRUNC)});
    case SYS_stat: return plain({{-1, 0, Intent::Lookup, true}});
    case SYS_lstat: return plain({{-1, 0, Intent::Lookup, false}});
    case SYS_access: return plain({{-1, 0, Intent::Lookup, true}});
    case SYS_readlink: return PathCall{PathCallKind::Readlink, {{-1, 0, Intent::Lookup, false}}, -1, -1};
    case SYS_chmod: return plain({{-1, 0, Intent::Write, true}});
    case SYS_chown: return plain({{-1, 0, Intent::Write, true}});
    case SYS_lchown: return plain({{-1, 0, Intent::Write, false}});
    case SYS_utime:
    case SYS_utimes: return plain({{-1, 0, Intent::Write, true}});
    case SYS_futimesat:
      if (a[1] == 0) return fd_write(0);  // no path: the descriptor's own file
      return plain({{0, 1, Intent::Write, true}});
    case SYS_mkdir: return PathCall{PathCallKind::Plain, {{-1, 0, Intent::MakeDir, false}}, 1, -1};
    case SYS_rmdir: return plain({{-1, 0, Intent::Delete, false}});
    case SYS_unlink: return plain({{-1, 0, Intent::Delete, false}});
    case SYS_rename: return PathCall{PathCallKind::Rename, {{-1, 0, Intent::Delete, false}, {-1, 1, Intent::Create, false}}, -1, -1};
    case SYS_link: return PathCall{PathCallKind::Link, {{-1, 0, Intent::Write, false}, {-1, 1, Intent::Create, false}}, -1, -1};
    case SYS_symlink: return plain({{-1, 1, Intent::Create, false}});
    case SYS_mknod: return plain({{-1, 0, Intent::Create, false}});
#endif
    case SYS_openat: return plain({open_arg(0, 1, a[2])});
    case SYS_openat2: return plain({open_arg(0, 1, open_how_flags)});
    case SYS_newfstatat: return plain({{0, 1, Intent::Lookup, at_nofollow(3)}});
    case SYS_statx: return plain({{0, 1, Intent::Lookup, at_nofollow(2)}});
    case SYS_faccessat:
    case SYS_faccessat2: return plain({{0, 1, Intent::Lookup, nr == SYS_faccessat2 ? at_nofollow(3) : true}});
    case SYS_readlinkat: return PathCall{PathCallKind::Readlink, {{0, 1, Intent::Lookup, false}}, -1, -1};
    case SYS_execve: return PathCall{PathCallKind::Exec, {{-1, 0, Intent::Lookup, true}}, -1, -1};
    case SYS_execveat: return PathCall{PathCallKind::Exec, {{0, 1, Intent::Lookup, at_nofollow(4)}}, -1, -1};
    case SYS_bind: return socket_address(1, 2, Intent::Create);
    case SYS_connect: return socket_address(1, 2, Intent::Lookup);
    case SYS_sendto:
      if (a[4] == 0) return std::nullopt;  // send(): no address
      return socket_address(4, 5, Intent::Lookup);
    case SYS_getsockname:
    case SYS_getpeername: return PathCall{PathCallKind::SocketName, {}, -1, 0, -1};
    case SYS_chdir: return plain({{-1, 0, Intent::Lookup, true}});
    case SYS_getcwd: return PathCall{PathCallKind::Getcwd, {}, -1, -1};
    case SYS_statfs: return plain({{-1, 0, Intent::Lookup, true}});
    case SYS_truncate: return plain({{-1, 0, Intent::Write, true}});
    case SYS_fchmodat: return plain({{0, 1, Intent::Write, true}});
    case SYS_fchownat:
      // AT_EMPTY_PATH counts only with an empty path (the descriptor's own file); the
      // supervisor reads which: the path, when there is one, is translated.
      if (a[4] & AT_EMPTY_PATH) return PathCall{PathCallKind::FdWrite, {{0, 1, Intent::Write, at_nofollow(4)}}, -1, 0};
      return plain({{0, 1, Intent::Write, at_nofollow(4)}});
    case SYS_fchmod:
    case SYS_fchown:
    case SYS_fsetxattr:
    case SYS_fremovexattr: return fd_write(0);
    case SYS_mkdirat: return PathCall{PathCallKind::Plain, {{0, 1, Intent::MakeDir, false}}, 2, -1};
    case SYS_unlinkat: return plain({{0, 1, Intent::Delete, false}});
#ifdef SYS_renameat
    case SYS_renameat:
#endif
    case SYS_renameat2: return PathCall{PathCallKind::Rename, {{0, 1, Intent::Delete, false}, {2, 3, Intent::Create, false}}, -1, -1};
    case SYS_linkat:
      return PathCall{PathCallKind::Link, {{0, 1, Intent::Write, (a[4] & AT_SYMLINK_FOLLOW) != 0}, {2, 3, Intent::Create, false}}, -1, -1};
    case SYS_symlinkat: return plain({{1, 2, Intent::Create, false}});
    case SYS_mknodat: return plain({{0, 1, Intent::Create, false}});
    case SYS_utimensat:
      if (a[1] == 0) return fd_write(0);  // futimens()
      return plain({{0, 1, Intent::Write, at_nofollow(3)}});
    case SYS_getxattr:
    case SYS_listxattr: return plain({{-1, 0, Intent::Lookup, true}});
    case SYS_lgetxattr:
    case SYS_llistxattr: return plain({{-1, 0, Intent::Lookup, false}});
    case SYS_setxattr:
    case SYS_removexattr: return plain({{-1, 0, Intent::Write, true}});
    case SYS_lsetxattr:
    case SYS_lremovexattr: return plain({{-1, 0, Intent::Write, false}});
    case SYS_inotify_add_watch: return plain({{-1, 1, Intent::Lookup, true}});
    default: return std::nullopt;
  }
}

}  // namespace appv
