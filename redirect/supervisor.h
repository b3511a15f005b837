// The namespace-free backend's supervisor (redirect/ptrace_backend.h): it answers the
// app's path system calls in the view of one PathTranslator. Calls reach it two ways
// (docs/namespace-free-backend.md): as ptrace stops, where it rewrites the caller's
// registers and memory and lets the kernel make the call on the host path (execve,
// chdir, the mutations, and every call where the kernel has no user notifications),
// and as seccomp user notifications, where it makes the call itself and answers with
// the result or an opened descriptor (the hot calls: opens, stats, access, readlink,
// getcwd). A thread of its own receives the notifications; it and the tracer take
// turns (base/tracing.h trace_until_done), so the supervisor is used by one at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "base/user_notification.h"
#include "redirect/path_syscalls.h"
#include "redirect/socket_paths.h"
#include "vfs/path_translator.h"

namespace appv {

class Stop;

class Supervisor {
 public:
  // `notifications`: the listener of the app's filter, or nullptr when every call
  // stops for ptrace. `rights_dropped`: the supervisor runs with the app's rights
  // (redirect/app_rights.h), its capabilities dropped.
  // `short_dir`: a directory of this launch's own with a short host path, where
  // links to the directories of socket paths too long for a sockaddr_un are made
  // (fit_socket_path); "" for none.
  Supervisor(PathTranslator& view, UserNotifications* notifications, bool rights_dropped, std::string short_dir = {});

  // A seccomp stop of the tracee `pid` (redirect/supervisor.cpp).
  void on_stop(pid_t pid);
  // After an exec: the process now runs the program its execve named.
  void on_exec(pid_t pid);
  // A notification received: answered (redirect/notified_calls.cpp).
  void on_notification(const UserNotification& n) { answer(n); }

 private:
  // How both halves name and translate the paths the app gives them
  // (redirect/supervisor_paths.cpp): every check on a path is made here once, so
  // that a call answered by notification passes the same ones as a call rewritten
  // at a ptrace stop.

  // The view path a call's path argument names: `path` as read from the caller,
  // absolute, or joined to the view path of its directory fd (`dirfd`, AT_FDCWD for
  // the working directory of thread `pid`). Returns 0 when named. -1 for an empty
  // path (AT_EMPTY_PATH: the fd itself), no such descriptor (the kernel answers
  // EBADF) or a descriptor that names no directory of the file system (a pipe: the
  // kernel refuses a path relative to it): the call is left to the kernel. Else the
  // errno the call fails with: a directory the supervisor cannot name (a host path
  // longer than a page, ENAMETOOLONG) must not let a relative path reach the kernel
  // untranslated.
  // `through`, if given, is set to the host path of the directory a relative path was
  // named through when that is a held one (empty otherwise).
  int view_path(pid_t pid, std::string path, int dirfd, std::string& out, std::string* through = nullptr) const;
  // view_.translate, with /proc's magic links of the app (/proc/self/root, cwd, fd/N:
  // redirect/proc_links.h) read as the view paths they stand for, so that no call
  // reaches the host's tree through them, and the host kernel's settings
  // (/proc/sys, /proc/sysrq-trigger) read-only (EROFS) for every intent but Lookup.
  Translation translate_for(pid_t pid, std::string path, Intent intent, bool follow, unsigned mode = 0755);
  // A place's own root (a mount point under ns): not renamed (EBUSY), as the kernel
  // answers for a mount point.
  bool is_place_root(const std::string& view_path) const;
  // A path the kernel resolves (/proc): the supervisor does not act on it in its own
  // process, where /proc/self is the supervisor.
  bool in_kernel_place(const std::string& view_path) const;
  // The view path of the program `pid` runs: its own exec's, its thread group's, or
  // (for a forked child that has not exec'd) its parent's; "" if none.
  std::string program_of(pid_t pid) const;
  // The process whose executable /proc/PID/exe (or /proc/self/exe, /proc/thread-self/exe
  // for `caller`) names, or 0 when `path` is not such a link (or names no possible
  // process: the kernel answers it).
  static pid_t exe_link_owner(const std::string& path, pid_t caller);
  // The view path an execve of `path` runs: /proc/self/exe (a program re-running
  // itself) is the program it runs in the view, another /proc link of the app what it
  // stands for, not the supervisor's own. 0 or the errno the exec fails with.
  int exec_view_path(pid_t pid, std::string& path) const;
  // The view path execveat(dirfd, path, argv, envp, flags) runs: `path` relative to
  // `dirfd`, or with AT_EMPTY_PATH the file `dirfd` names (fexecve); a final link
  // refused (ELOOP) under AT_SYMLINK_NOFOLLOW. 0 when named; -1 when the call is left
  // to the kernel as made (a bad descriptor, a memfd or a file opened outside the
  // view: nothing of the view to run); else the errno the exec fails with.
  int execveat_path(pid_t pid, const uint64_t (&args)[6], std::string& path);
  // The app's open file `fd` of thread `pid` itself, as this process's descriptor
  // (pidfd_getfd, Linux 5.6; the tracer may take it), from the thread's own table.
  // Empty on failure, errno set (EBADF: no such descriptor; ENOSYS: the kernel lacks
  // pidfd_getfd or kcmp; EPERM: refused, or a thread with a table of its own on a
  // kernel before 6.9).
  UniqueFd app_file(pid_t pid, int fd) const;
  // fchmod, fchown, fchownat(fd, "", ..., AT_EMPTY_PATH), fsetxattr, fremovexattr,
  // futimens and futimesat(fd, NULL) of stop `stop`, whose descriptor is args[0]: a
  // file in a layer the app may not change answers EROFS; any other is changed here,
  // on the file taken from the app, and the app's call is skipped with the result.
  // Checked and changed is then one file: a second thread of the app cannot move
  // another onto the descriptor's number (dup2) in between. Where the file cannot be
  // taken, or this process has rights the app lacks, the check is made by the
  // descriptor's /proc link and the call left to the kernel, as before.
  void fd_write(Stop& stop, const uint64_t (&args)[6]);
  // The call of fd_write made on `fd` (this process's), its pointer arguments read
  // from the app's memory: 0 or -errno.
  static long fd_call(pid_t pid, long nr, int fd, const uint64_t (&args)[6]);
  // linkat(2) of the file a descriptor names (AT_EMPTY_PATH): EXDEV when that file is
  // in a layer the app may not change (supervisor.cpp says why), else 0.
  int link_source_by_fd(pid_t pid, long nr, const uint64_t (&args)[6]) const;
  // What readlink(2) of `t` (a Lookup of the path the app gave, not followed) shows
  // when it is /proc/{self,PID}/{cwd,root,fd/N} of the app: the view path it stands
  // for (redirect/proc_links.h ProcLink::shown). False when the kernel's answer stands.
  bool proc_link_text(pid_t pid, const Translation& t, std::string& text) const;
  // The host path `real` of a socket as a sockaddr_un can hold it: itself when it
  // fits, else through a link in short_dir_ to its directory (made once per
  // directory); "" when neither fits (the call then fails with ENAMETOOLONG).
  std::string fit_socket_path(const std::string& real);
  // getsockname/getpeername (`peer`) of the app's descriptor `fd` in thread `pid`: the
  // address to answer with, naming the view path of the unix socket's host path (the
  // short link's undone); nullopt where the kernel's own answer stands (another
  // family, an abstract or unnamed address, a path in no layer, a bad descriptor).
  std::optional<UnixAddress> socket_name_in_view(pid_t pid, int fd, bool peer) const;
  // Writes `name` as the kernel would: at most *addrlen bytes of it at `addr`, its full
  // length at `addrlen`. 0, or the errno (EFAULT, EINVAL for a negative *addrlen).
  static int write_socket_name(pid_t pid, uint64_t addr, uint64_t addrlen, const UnixAddress& name);

  void exec(Stop& stop, const uint64_t (&args)[6]);
  void getcwd(Stop& stop, const uint64_t (&args)[6]);
  bool readlink_exe(Stop& stop, const uint64_t (&args)[6], const PathArg& a);
  void rename(Stop& stop, const uint64_t (&args)[6], const PathCall& call);
  void socket_address(Stop& stop, const uint64_t (&args)[6], const PathCall& call);
  void exchange(Stop& stop, const Translation& source, const Translation& target);

  void answer(const UserNotification& n);
  void answer_path_call(const UserNotification& n, const PathCall& call);
  void answer_getcwd(const UserNotification& n);
  void answer_maps(const UserNotification& n, const std::string& real, bool cloexec);
  void answer_open(const UserNotification& n, const Translation& t, const std::string& real, int flags, mode_t mode);
  int access_flags(int flags) const;

  PathTranslator& view_;
  UserNotifications* notifications_;
  std::map<pid_t, std::string> exe_;          // each traced process's program, in the view
  std::map<pid_t, std::string> pending_exe_;  // an execve under way, by the calling thread
  // Directories the supervisor opened for the app, by thread and descriptor number:
  // their view paths, and the supervisor's own reference to the same open file, by
  // which kcmp(2) tells that the app's descriptor still is that one (names relative
  // to it then need no readlink of /proc/PID/fd/N). A descriptor the app made from
  // one (dup, F_DUPFD: fts moves every directory it opens) is matched against the
  // last few opened. A cache: emptied when full.
  struct HeldDir {
    UniqueFd ours;
    std::string view;
    std::string real;  // the host path it was opened by
  };
  const HeldDir* held_dir(pid_t pid, int fd) const;
  void hold_dir(pid_t pid, int fd, UniqueFd ours, const std::string& view, const std::string& real);
  void forget_held_dirs();
  mutable std::map<std::pair<pid_t, int>, std::shared_ptr<const HeldDir>> held_dirs_;
  std::vector<std::pair<pid_t, std::shared_ptr<const HeldDir>>> recent_dirs_;  // the last opened, newest last
  std::string short_dir_;
  std::map<std::string, std::string> socket_dirs_;  // host directory -> its link in short_dir_
  pid_t self_;
  bool rights_dropped_;
  bool can_compare_files_ = true;  // kcmp(2) answers (CONFIG_KCMP)
  // This process changes files with the app's rights: its capabilities dropped, or it
  // has no effective capability (a user's launch; ambient ones kept here would not be
  // the app's, which has them emptied).
  bool acts_as_app_ = false;
};

}  // namespace appv
