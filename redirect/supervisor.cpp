// The supervisor's ptrace half: calls that stop the tracee, answered by rewriting its
// registers and the memory below its stack (the kernel then makes the call on the
// host path), and what both halves share.
#include "redirect/supervisor.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/limits.h>  // XATTR_SIZE_MAX
#include <linux/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>  // RENAME_EXCHANGE
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "base/tracing.h"
#include "redirect/exec_rewrite.h"
#include "redirect/socket_paths.h"
#include "redirect/tracee_proc.h"

namespace appv {

#if !defined(__x86_64__)
#error "the ptrace backend rewrites x86_64 registers; other architectures are not done yet"
#endif

namespace {
constexpr uint64_t kRedZone = 128;                // the System V ABI's red zone below the stack pointer
constexpr size_t kMaxArgBytes = size_t{2} << 20;  // ARG_MAX under the default 8 MiB stack limit
}  // namespace

// A stopped tracee's registers, and the memory below its stack where new arguments go.
class Stop {
 public:
  explicit Stop(pid_t pid) : pid_(pid) {
    ok_ = ptrace_call(PTRACE_GETREGS, pid, nullptr, &regs_) == 0;
    scratch_ = (regs_.rsp - kRedZone) & ~uint64_t{15};
  }
  bool ok() const { return ok_; }
  pid_t pid() const { return pid_; }
  long nr() const { return static_cast<long>(regs_.orig_rax); }
  void args(uint64_t (&out)[6]) const {
    const uint64_t in[6] = {regs_.rdi, regs_.rsi, regs_.rdx, regs_.r10, regs_.r8, regs_.r9};
    std::copy(std::begin(in), std::end(in), out);
  }
  void set_arg(int i, uint64_t v) {
    unsigned long long* regs[6] = {&regs_.rdi, &regs_.rsi, &regs_.rdx, &regs_.r10, &regs_.r8, &regs_.r9};
    *regs[i] = v;
    dirty_ = true;
  }
  // Copies `size` bytes below the stack (the red zone left alone), 16-byte aligned;
  // returns their address, or 0 if the tracee's memory cannot be written.
  uint64_t put(const void* data, size_t size) {
    scratch_ = (scratch_ - size) & ~uint64_t{15};
    return write_tracee(pid_, scratch_, data, size) ? scratch_ : 0;
  }
  uint64_t put(const std::string& s) { return put(s.c_str(), s.size() + 1); }
  // The call is not made; it returns `value` (-errno for a failure): seccomp(2) lets
  // the tracer skip a call by setting its number to -1.
  void skip(long value) {
    regs_.orig_rax = static_cast<unsigned long long>(-1);
    regs_.rax = static_cast<unsigned long long>(value);
    dirty_ = true;
  }
  ~Stop() {
    if (dirty_) ptrace_call(PTRACE_SETREGS, pid_, nullptr, &regs_);
  }
  Stop(const Stop&) = delete;
  Stop& operator=(const Stop&) = delete;

 private:
  pid_t pid_;
  user_regs_struct regs_{};
  uint64_t scratch_ = 0;
  bool ok_ = false;
  bool dirty_ = false;
};

Supervisor::Supervisor(PathTranslator& view, UserNotifications* notifications, bool rights_dropped, std::string short_dir)
    : view_(view),
      notifications_(notifications),
      short_dir_(std::move(short_dir)),
      self_(::getpid()),
      rights_dropped_(rights_dropped) {
  can_compare_files_ = ::syscall(SYS_kcmp, self_, self_, KCMP_VM, 0, 0) == 0;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[2]{};
  acts_as_app_ = rights_dropped_ ||
                 (::syscall(SYS_capget, &header, caps) == 0 && caps[0].effective == 0 && caps[1].effective == 0);
}

void Supervisor::on_stop(pid_t pid) {
  Stop stop(pid);
  if (!stop.ok()) return;
  uint64_t args[6];
  stop.args(args);
  uint64_t how_flags = 0;
  if (stop.nr() == SYS_openat2 && !read_tracee_u64(pid, args[2], how_flags)) how_flags = 0;
  const std::optional<PathCall> call = describe_path_call(stop.nr(), args, how_flags);
  if (!call) return;
  // A rename or a removal may change what a held directory's view path names.
  for (const PathArg& a : call->paths) {
    if (a.intent == Intent::Delete) forget_held_dirs();
  }
  switch (call->kind) {
    case PathCallKind::Exec: return exec(stop, args);
    case PathCallKind::Getcwd: return getcwd(stop, args);
    case PathCallKind::Readlink:
      if (readlink_exe(stop, args, call->paths[0])) return;
      break;
    case PathCallKind::Rename: return rename(stop, args, *call);
    case PathCallKind::Socket: return socket_address(stop, args, *call);
    case PathCallKind::SocketName: {
      const std::optional<UnixAddress> name = socket_name_in_view(pid, static_cast<int>(args[0]), stop.nr() == SYS_getpeername);
      if (!name) return;  // the kernel's answer stands
      const int err = write_socket_name(pid, args[1], args[2], *name);
      return stop.skip(err != 0 ? -err : 0);
    }
    case PathCallKind::FdWrite:
      // fchownat(dirfd, path, ..., AT_EMPTY_PATH) with a path names the path's file.
      if (!call->paths.empty() && !read_tracee_string(pid, args[call->paths[0].path_arg]).empty()) break;
      return fd_write(stop, args);
    case PathCallKind::Link:
      if (const int err = link_source_by_fd(pid, stop.nr(), args)) return stop.skip(-err);
      break;
    case PathCallKind::Plain: break;
  }
  for (const PathArg& a : call->paths) {
    const std::string given = read_tracee_string(pid, args[a.path_arg]);
    std::string path;
    if (const int named = view_path(pid, given, a.dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(args[a.dirfd_arg]), path);
        named != 0) {
      if (named > 0) return stop.skip(-named);
      continue;
    }
    const bool absolute = given[0] == '/';
    const unsigned mode = call->mode_arg >= 0 ? static_cast<unsigned>(args[call->mode_arg]) & 07777 : 0755;
    const Translation t = translate_for(pid, path, a.intent, a.follow, mode);
    if (t.error) return stop.skip(-t.error);
    if (t.done) return stop.skip(0);
    std::string text;
    if (call->kind == PathCallKind::Readlink && proc_link_text(pid, t, text)) {
      // readlink(path, buf, size) or readlinkat(dirfd, path, buf, size): the view path.
      const int size = static_cast<int>(args[a.path_arg + 2]);
      if (size <= 0) return stop.skip(-EINVAL);
      const size_t shown = std::min(text.size(), static_cast<size_t>(size));
      if (!write_tracee(pid, args[a.path_arg + 1], text.data(), shown)) return stop.skip(-EFAULT);
      return stop.skip(static_cast<long>(shown));
    }
    // The host's path stands: a place's own link, or an absolute path that is its own
    // host path (/proc, merged trees). A relative one is rewritten all the same: its
    // directory fd may be a stand-in for a merged directory.
    if (t.real.empty() || (t.real == path && absolute)) continue;
    const uint64_t at = stop.put(t.real);
    if (at == 0) return stop.skip(-EFAULT);
    stop.set_arg(a.path_arg, at);
  }
}

UniqueFd Supervisor::app_file(pid_t pid, int fd) const {
  // The thread's own descriptor table: a pidfd of the thread itself (PIDFD_THREAD,
  // Linux 6.9), else of its process when the thread shares the process's table (a
  // thread cloned without CLONE_FILES has one of its own, which is not taken from).
  constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, kPidfdThread)));
  if (!pidfd) {
    const pid_t tgid = status_field(pid, "Tgid");
    if (tgid > 0 && tgid != pid) {
      const long same = ::syscall(SYS_kcmp, tgid, pid, KCMP_FILES, 0, 0);
      if (same != 0) {
        errno = same < 0 && errno == ENOSYS ? ENOSYS : EPERM;
        return {};
      }
    }
    pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, tgid > 0 ? tgid : pid, 0)));
    if (!pidfd) return {};
  }
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
}

void Supervisor::fd_write(Stop& stop, const uint64_t (&args)[6]) {
  const pid_t pid = stop.pid();
  const int fd = static_cast<int>(args[0]);
  UniqueFd file = acts_as_app_ ? app_file(pid, fd) : UniqueFd();
  // A file that cannot be taken for another reason than the kernel's age (ENOSYS), or
  // named, is not changed: what the app could not be checked for is refused.
  if (!file && acts_as_app_ && errno != ENOSYS) return stop.skip(errno == EBADF ? -EBADF : -EPERM);
  const std::string real = file ? read_link(fmt::format("/proc/self/fd/{}", file.get()))
                                : read_link(fmt::format("/proc/{}/fd/{}", pid, fd));
  if (real.empty()) return stop.skip(-EBADF);
  if (real[0] == '/' && view_.in_protected_layer(real)) return stop.skip(-EROFS);
  if (file) stop.skip(fd_call(pid, stop.nr(), file.get(), args));
}

long Supervisor::fd_call(pid_t pid, long nr, int fd, const uint64_t (&a)[6]) {
  const auto result = [](long r) { return r == 0 ? 0L : -static_cast<long>(errno); };
  const auto name_at = [&](uint64_t addr, std::string& name) {
    char first;
    if (!read_tracee(pid, addr, &first, 1)) return false;  // EFAULT, as the kernel answers
    name = read_tracee_string(pid, addr);
    return true;
  };
  std::string name;
  switch (nr) {
    case SYS_fchmod: return result(::syscall(SYS_fchmod, fd, a[1]));
    case SYS_fchown: return result(::syscall(SYS_fchown, fd, a[1], a[2]));
    case SYS_fchownat: return result(::syscall(SYS_fchownat, fd, "", a[2], a[3], a[4]));
    case SYS_fremovexattr:
      if (!name_at(a[1], name)) return -EFAULT;
      return result(::syscall(SYS_fremovexattr, fd, name.c_str()));
    case SYS_fsetxattr: {
      if (!name_at(a[1], name)) return -EFAULT;
      if (a[3] > XATTR_SIZE_MAX) return -E2BIG;
      std::vector<char> value(a[3]);
      if (!value.empty() && !read_tracee(pid, a[2], value.data(), value.size())) return -EFAULT;
      return result(::syscall(SYS_fsetxattr, fd, name.c_str(), value.data(), value.size(), a[4]));
    }
    case SYS_utimensat: {  // futimens(): no path
      struct timespec times[2];
      if (a[2] != 0 && !read_tracee(pid, a[2], times, sizeof times)) return -EFAULT;
      return result(::syscall(SYS_utimensat, fd, nullptr, a[2] != 0 ? times : nullptr, a[3]));
    }
    case SYS_futimesat: {  // futimesat(fd, NULL, times)
      struct timeval times[2];
      if (a[2] != 0 && !read_tracee(pid, a[2], times, sizeof times)) return -EFAULT;
      return result(::syscall(SYS_futimesat, fd, nullptr, a[2] != 0 ? times : nullptr));
    }
    default: return -ENOSYS;
  }
}

// linkat(fd, "", newdirfd, newpath, AT_EMPTY_PATH) links the file the descriptor
// names, which no path of the view translates: a lower layer's file (the host's, in
// a writecopy tree) linked into a place written in place (a merged directory on the
// same file system) would take the app's writes through the new name to the host's
// file. Such a source is refused with EXDEV, the answer of the ns backend's mounts
// (the app copies instead, as across file systems). A source named by a path,
// /proc/self/fd/N with AT_SYMLINK_FOLLOW too, is copied up by the translation below.
int Supervisor::link_source_by_fd(pid_t pid, long nr, const uint64_t (&args)[6]) const {
  if (nr != SYS_linkat) return 0;  // link(2) names its source by a path
  if (!(args[4] & AT_EMPTY_PATH) || !read_tracee_string(pid, args[1]).empty()) return 0;
  const std::string real = read_link(fmt::format("/proc/{}/fd/{}", pid, static_cast<int>(args[0])));
  if (real.empty()) return EBADF;  // no such descriptor, or one that cannot be checked
  return real[0] == '/' && view_.in_protected_layer(real) ? EXDEV : 0;
}

void Supervisor::on_exec(pid_t pid) {
  unsigned long former = 0;
  ptrace_call(PTRACE_GETEVENTMSG, pid, nullptr, &former);
  auto it = pending_exe_.find(static_cast<pid_t>(former));
  if (it == pending_exe_.end()) return;
  exe_[pid] = it->second;
  pending_exe_.erase(it);
}

namespace {
constexpr size_t kHeldDirs = 256;   // directories kept open (Supervisor::held_dirs_) at most
constexpr size_t kRecentDirs = 4;   // the last opened, tried for a descriptor not known
}  // namespace

const Supervisor::HeldDir* Supervisor::held_dir(pid_t pid, int fd) const {
  if (!can_compare_files_) return nullptr;
  const auto same = [&](const HeldDir& held) {
    return ::syscall(SYS_kcmp, self_, pid, KCMP_FILE, held.ours.get(), fd) == 0;
  };
  // The one known by this number, else one of those opened lately (a copy of it).
  if (auto it = held_dirs_.find({pid, fd}); it != held_dirs_.end() && same(*it->second)) return it->second.get();
  for (auto it = recent_dirs_.rbegin(); it != recent_dirs_.rend(); ++it) {
    if (it->first != pid || !same(*it->second)) continue;
    held_dirs_[{pid, fd}] = it->second;
    return it->second.get();
  }
  return nullptr;
}

void Supervisor::forget_held_dirs() {
  held_dirs_.clear();
  recent_dirs_.clear();
}

void Supervisor::hold_dir(pid_t pid, int fd, UniqueFd ours, const std::string& view, const std::string& real) {
  if (!can_compare_files_) return;
  if (held_dirs_.size() >= kHeldDirs) held_dirs_.clear();
  auto held = std::make_shared<const HeldDir>(HeldDir{std::move(ours), view, real});
  held_dirs_[{pid, fd}] = held;
  if (recent_dirs_.size() >= kRecentDirs) recent_dirs_.erase(recent_dirs_.begin());
  recent_dirs_.emplace_back(pid, std::move(held));
}

void Supervisor::exec(Stop& stop, const uint64_t (&args)[6]) {
  const pid_t pid = stop.pid();
  // execveat(dirfd, path, argv, envp, flags) becomes execveat(AT_FDCWD, <host file>,
  // <new argv>, envp, 0): the execve the rest of this function makes.
  const bool at = stop.nr() == SYS_execveat;
  std::string path;
  if (at) {
    const int err = execveat_path(pid, args, path);
    if (err < 0) return;
    if (err > 0) return stop.skip(-err);
  } else if (const int named = view_path(pid, read_tracee_string(pid, args[0]), AT_FDCWD, path); named != 0) {
    return stop.skip(named > 0 ? -named : -ENOENT);
  }
  if (const int err = exec_view_path(pid, path)) return stop.skip(-err);
  const int argv_arg = at ? 2 : 1;
  // The arguments, read up to what the kernel itself takes (ARG_MAX, 2 MiB with the
  // default stack limit); their strings stay where they are in the app's memory.
  std::vector<std::string> argv;
  std::vector<uint64_t> in_app;
  size_t bytes = 0;
  for (uint64_t in = args[argv_arg]; in != 0; in += 8) {
    uint64_t p = 0;
    if (!read_tracee_u64(pid, in, p)) return stop.skip(-EFAULT);
    if (p == 0) break;
    argv.push_back(read_tracee_string(pid, p));
    in_app.push_back(p);
    bytes += argv.back().size() + 1 + sizeof p;
    if (bytes > kMaxArgBytes) return stop.skip(-E2BIG);
  }
  const ExecRewrite r = rewrite_exec(view_, path, argv);
  if (r.error) return stop.skip(-r.error);
  // The rewritten argv ends with argv[1..] (exec_rewrite.h): those point at the
  // app's own strings; only the loader's few new ones go below its stack.
  const size_t kept = argv.size() > 1 && r.argv.size() >= argv.size() - 1 ? argv.size() - 1 : 0;
  const size_t fresh = r.argv.size() - kept;
  std::vector<uint64_t> pointers;
  for (size_t i = 0; i < r.argv.size(); ++i) {
    if (i >= fresh && r.argv[i] == argv[i - fresh + 1]) {
      pointers.push_back(in_app[i - fresh + 1]);
      continue;
    }
    pointers.push_back(stop.put(r.argv[i]));
    if (pointers.back() == 0) return stop.skip(-E2BIG);
  }
  pointers.push_back(0);
  const uint64_t file = stop.put(r.file);
  const uint64_t array = stop.put(pointers.data(), pointers.size() * sizeof(uint64_t));
  if (file == 0 || array == 0) return stop.skip(-E2BIG);
  if (at) {
    stop.set_arg(0, static_cast<uint64_t>(static_cast<int64_t>(AT_FDCWD)));
    stop.set_arg(4, 0);
  }
  stop.set_arg(at ? 1 : 0, file);
  stop.set_arg(argv_arg, array);
  pending_exe_[pid] = r.program;
}

void Supervisor::getcwd(Stop& stop, const uint64_t (&args)[6]) {
  const std::string real = read_link(fmt::format("/proc/{}/cwd", stop.pid()));
  const std::string view = view_.view_path_of(real);
  if (view.empty() || view == real) return;  // the kernel's answer is the view's
  if (view.size() + 1 > args[1]) return stop.skip(-ERANGE);
  if (!write_tracee(stop.pid(), args[0], view.c_str(), view.size() + 1)) return stop.skip(-EFAULT);
  stop.skip(static_cast<long>(view.size() + 1));
}

// /proc/self/exe (and /proc/PID/exe of a traced process) names the program the
// process runs in the view, not the loader that runs it. True if answered.
bool Supervisor::readlink_exe(Stop& stop, const uint64_t (&args)[6], const PathArg& a) {
  const pid_t whose = exe_link_owner(read_tracee_string(stop.pid(), args[a.path_arg]), stop.pid());
  if (whose <= 0) return false;
  const std::string exe = program_of(whose);
  if (exe.empty()) return false;
  const uint64_t size = std::min<uint64_t>(args[a.path_arg + 2], exe.size());
  if (!write_tracee(stop.pid(), args[a.path_arg + 1], exe.data(), size)) {
    stop.skip(-EFAULT);
    return true;
  }
  stop.skip(static_cast<long>(size));
  return true;
}

std::string Supervisor::program_of(pid_t pid) const {
  for (int hops = 0; hops < 64 && pid > 0; ++hops) {
    if (auto it = exe_.find(pid); it != exe_.end()) return it->second;
    const pid_t tgid = status_field(pid, "Tgid");
    pid = tgid > 0 && tgid != pid ? tgid : status_field(pid, "PPid");
  }
  return {};
}

// rename(2) across layers: the source is copied up (a file) or must be the sandbox's
// alone (a directory, as overlayfs without redirect_dir answers EXDEV and mv then
// copies), the supervisor renames in the upper layer, and a whiteout hides what a
// lower layer still holds at the old name.
void Supervisor::rename(Stop& stop, const uint64_t (&args)[6], const PathCall& call) {
  const pid_t pid = stop.pid();
  const auto dirfd = [&](const PathArg& a) { return a.dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(args[a.dirfd_arg]); };
  std::string from, to;
  for (const auto& [arg, out] : {std::pair{0, &from}, std::pair{1, &to}}) {
    const PathArg& a = call.paths[static_cast<size_t>(arg)];
    if (const int named = view_path(pid, read_tracee_string(pid, args[a.path_arg]), dirfd(a), *out); named != 0) {
      return stop.skip(named > 0 ? -named : -ENOENT);
    }
  }
  const Translation source = translate_for(pid, from, Intent::Write, false);
  if (source.error) return stop.skip(-(source.error == EIO ? EXDEV : source.error));
  if (is_place_root(source.view_path)) return stop.skip(-EBUSY);
  const Translation target = translate_for(pid, to, Intent::Create, false);
  if (target.error) return stop.skip(-target.error);
  if (is_place_root(target.view_path)) return stop.skip(-EBUSY);
  // /proc's names are the app's, not this process's: mv copies instead.
  if (in_kernel_place(source.view_path) || in_kernel_place(target.view_path)) return stop.skip(-EXDEV);
  // A directory with a place inside (a tree the view hides or mounts below it) keeps
  // it at its path: moved on the host, the place's path would name the host's tree
  // under the new name. As overlayfs answers for a merged directory: mv copies.
  if (view_.table().is_root_dir(source.view_path) || view_.table().is_root_dir(target.view_path)) {
    return stop.skip(-EXDEV);
  }
  const unsigned flags = stop.nr() == SYS_renameat2 ? static_cast<unsigned>(args[4]) : 0;
  if (flags & RENAME_EXCHANGE) return exchange(stop, source, target);
  if (::syscall(SYS_renameat2, AT_FDCWD, source.real.c_str(), AT_FDCWD, target.real.c_str(), flags) != 0) {
    return stop.skip(-errno);
  }
  // By the view path the source resolved to: `from` may have named it through a
  // /proc link (translate_for).
  const Translation hidden = view_.translate(source.view_path, Intent::Delete, false);
  if (hidden.error == ENOTEMPTY) {
    // A directory a lower layer holds too: undo, and let the caller copy it.
    ::syscall(SYS_renameat2, AT_FDCWD, target.real.c_str(), AT_FDCWD, source.real.c_str(), 0);
    return stop.skip(-EXDEV);
  }
  stop.skip(0);
}

// RENAME_EXCHANGE: both names stay, each copied up, swapped in the upper layer. A
// directory a lower layer holds too cannot move there alone (EXDEV, as for rename).
void Supervisor::exchange(Stop& stop, const Translation& source, const Translation& target) {
  if (source.kind == NodeKind::Dir || target.kind == NodeKind::Dir) return stop.skip(-EXDEV);
  if (::syscall(SYS_renameat2, AT_FDCWD, source.real.c_str(), AT_FDCWD, target.real.c_str(), RENAME_EXCHANGE) != 0) {
    return stop.skip(-errno);
  }
  stop.skip(0);
}

// bind, connect and sendto with a unix socket's path: the address is read, its path
// translated (bind creates: copied-up parents, the sandbox for writecopy and full
// trees) and an address naming the host path written below the caller's stack.
// Abstract and unnamed addresses and other families are left as they are.
void Supervisor::socket_address(Stop& stop, const uint64_t (&args)[6], const PathCall& call) {
  const pid_t pid = stop.pid();
  const PathArg& a = call.paths[0];
  const uint64_t len = args[call.len_arg];
  // No address, or a length the kernel refuses (EINVAL): its own answer.
  if (args[a.path_arg] == 0 || len > sizeof(sockaddr_un)) return;
  sockaddr_un given{};
  if (!read_tracee(pid, args[a.path_arg], &given, static_cast<size_t>(len))) return;  // EFAULT, the kernel's
  const std::optional<std::string> name = unix_socket_path(&given, static_cast<size_t>(len));
  if (!name) return;
  std::string path;
  if (const int named = view_path(pid, *name, AT_FDCWD, path); named != 0) {
    if (named > 0) stop.skip(-named);
    return;
  }
  if (a.intent == Intent::Create) {
    // bind never reuses a name, a link's included (the kernel answers EADDRINUSE);
    // Create would copy an existing lower entry up instead.
    const Translation there = translate_for(pid, path, Intent::Lookup, false);
    if (there.error == 0 && there.kind != NodeKind::Absent) return stop.skip(-EADDRINUSE);
  }
  const Translation t = translate_for(pid, path, a.intent, a.follow);
  if (t.error) return stop.skip(-t.error);
  // The host's own path, named absolutely, stands. A relative one is rewritten: the
  // working directory may be a stand-in for a merged directory.
  if (t.real.empty() || (t.real == path && (*name)[0] == '/')) return;
  const std::optional<UnixAddress> out = unix_socket_address(fit_socket_path(t.real));
  if (!out) return stop.skip(-ENAMETOOLONG);
  const uint64_t at = stop.put(&out->addr, out->len);
  if (at == 0) return stop.skip(-EFAULT);
  stop.set_arg(a.path_arg, at);
  stop.set_arg(call.len_arg, out->len);
}

std::optional<UnixAddress> Supervisor::socket_name_in_view(pid_t pid, int fd, bool peer) const {
  // The app's socket itself, asked here: the kernel's answer names the host path the
  // socket was bound to.
  const UniqueFd socket = app_file(pid, fd);
  if (!socket) return std::nullopt;
  sockaddr_storage got{};
  socklen_t len = sizeof got;
  if ((peer ? ::getpeername(socket.get(), reinterpret_cast<sockaddr*>(&got), &len)
            : ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&got), &len)) != 0) {
    return std::nullopt;
  }
  const std::optional<std::string> real = unix_socket_path(&got, len);
  if (!real || real->empty() || (*real)[0] != '/') return std::nullopt;
  std::string host = *real;
  for (const auto& [dir, link] : socket_dirs_) {
    if (host.size() > link.size() && host.compare(0, link.size(), link) == 0 && host[link.size()] == '/') {
      host = dir + host.substr(link.size());
      break;
    }
  }
  const std::string in_view = view_.view_path_of(host);
  if (in_view.empty() || in_view == *real) return std::nullopt;
  // A view path longer than a sockaddr_un holds is shown cut, as the kernel cuts
  // nothing it holds: leave the kernel's answer then.
  return unix_socket_address(in_view);
}

int Supervisor::write_socket_name(pid_t pid, uint64_t addr, uint64_t addrlen, const UnixAddress& name) {
  int32_t room = 0;
  if (!read_tracee(pid, addrlen, &room, sizeof room)) return EFAULT;
  if (room < 0) return EINVAL;
  const size_t shown = std::min<size_t>(static_cast<size_t>(room), name.len);
  if (shown > 0 && !write_tracee(pid, addr, &name.addr, shown)) return EFAULT;
  const int32_t full = static_cast<int32_t>(name.len);
  if (!write_tracee(pid, addrlen, &full, sizeof full)) return EFAULT;
  return 0;
}

std::string Supervisor::fit_socket_path(const std::string& real) {
  if (real.size() <= kMaxSocketPath || short_dir_.empty()) return real;
  const size_t slash = real.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  const std::string dir = real.substr(0, slash);
  auto it = socket_dirs_.find(dir);
  if (it == socket_dirs_.end()) {
    const std::string link = fmt::format("{}/socket-dir-{}", short_dir_, socket_dirs_.size());
    if (::symlink(dir.c_str(), link.c_str()) != 0) return {};
    it = socket_dirs_.emplace(dir, link).first;
  }
  const std::string fitted = it->second + real.substr(slash);
  return fitted.size() <= kMaxSocketPath ? fitted : std::string();
}

}  // namespace appv
