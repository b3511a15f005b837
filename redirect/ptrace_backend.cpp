#include "redirect/ptrace_backend.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "base/tracing.h"
#include "redirect/child_channel.h"
#include "redirect/exec_rewrite.h"
#include "redirect/path_syscalls.h"
#include "redirect/ptrace_app_filter.h"
#include "redirect/privileges.h"
#include "redirect/proc_links.h"
#include "redirect/seccomp_filter.h"
#include "vfs/layout.h"
#include "vfs/view_table.h"

namespace appv {
namespace {

#if !defined(__x86_64__)
#error "the ptrace backend rewrites x86_64 registers; other architectures are not done yet"
#endif

constexpr uint64_t kRedZone = 128;
constexpr size_t kMaxArgBytes = size_t{2} << 20;  // ARG_MAX under the default 8 MiB stack limit  // the System V ABI's red zone below the stack pointer

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

// "" if unreadable, or longer than a page: a path cut short would name another file.
std::string read_link(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 && static_cast<size_t>(n) < sizeof buf ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// A field of /proc/PID/status ("Tgid", "PPid"), -1 if unreadable.
pid_t status_field(pid_t pid, const std::string& field) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(field.size() + 1)));
  }
  return -1;
}

class Supervisor {
 public:
  explicit Supervisor(PathTranslator& view) : view_(view) {}

  void on_stop(pid_t pid) {
    Stop stop(pid);
    if (!stop.ok()) return;
    uint64_t args[6];
    stop.args(args);
    uint64_t how_flags = 0;
    if (stop.nr() == SYS_openat2 && !read_tracee_u64(pid, args[2], how_flags)) how_flags = 0;
    const std::optional<PathCall> call = describe_path_call(stop.nr(), args, how_flags);
    if (!call) return;
    switch (call->kind) {
      case PathCallKind::Exec: return exec(stop, args);
      case PathCallKind::Getcwd: return getcwd(stop, args);
      case PathCallKind::Readlink:
        if (readlink_exe(stop, args, call->paths[0])) return;
        break;
      case PathCallKind::Rename: return rename(stop, args, *call);
      case PathCallKind::FdWrite: {
        const std::string real = read_link(fmt::format("/proc/{}/fd/{}", pid, static_cast<int>(args[call->fd_arg])));
        if (!real.empty() && real[0] == '/' && view_.in_protected_layer(real)) stop.skip(-EROFS);
        return;
      }
      case PathCallKind::Plain:
      case PathCallKind::Link: break;
    }
    for (const PathArg& a : call->paths) {
      std::string path;
      bool absolute = false;
      if (const int named = view_path(pid, args, a, path, &absolute); named != 0) {
        if (named > 0) return stop.skip(-named);
        continue;
      }
      const unsigned mode = call->mode_arg >= 0 ? static_cast<unsigned>(args[call->mode_arg]) & 07777 : 0755;
      const Translation t = translate_for(pid, path, a.intent, a.follow, mode);
      if (t.error) return stop.skip(-t.error);
      if (t.done) return stop.skip(0);
      // The host's path stands: a place's own link, or an absolute path that is its own
      // host path (/proc, merged trees). A relative one is rewritten all the same: its
      // directory fd may be a stand-in for a merged directory.
      if (t.real.empty() || (t.real == path && absolute)) continue;
      const uint64_t at = stop.put(t.real);
      if (at == 0) return stop.skip(-EFAULT);
      stop.set_arg(a.path_arg, at);
    }
  }

  // After an exec: the process now runs the program its execve named.
  void on_exec(pid_t pid) {
    unsigned long former = 0;
    ptrace_call(PTRACE_GETEVENTMSG, pid, nullptr, &former);
    auto it = pending_exe_.find(static_cast<pid_t>(former));
    if (it == pending_exe_.end()) return;
    exe_[pid] = it->second;
    pending_exe_.erase(it);
  }

 private:
  // The view path the call's argument `a` names: absolute as given, or joined to the
  // view path of its directory fd or working directory. Returns 0 when named; -1 for
  // an empty or unreadable path (AT_EMPTY_PATH: the fd itself), or a descriptor that
  // is no directory of the file system (the kernel refuses a path relative to it),
  // which are left alone; else the errno the call fails with: a directory the
  // supervisor cannot name (a host path longer than a page) must not let a relative
  // path reach the kernel untranslated.
  int view_path(pid_t pid, const uint64_t (&args)[6], const PathArg& a, std::string& out, bool* absolute = nullptr) {
    out = read_tracee_string(pid, args[a.path_arg]);
    if (out.empty()) return -1;
    if (absolute) *absolute = out[0] == '/';
    if (out[0] == '/') return 0;
    const int dirfd = a.dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(args[a.dirfd_arg]);
    const std::string link = dirfd == AT_FDCWD ? fmt::format("/proc/{}/cwd", pid) : fmt::format("/proc/{}/fd/{}", pid, dirfd);
    const std::string base = read_link(link);
    if (base.empty()) return unnamed_base_error(link);
    if (base[0] != '/') return -1;  // a pipe or socket: not a directory of the file system
    std::string view = view_.view_path_of(base);
    if (view.empty()) view = base;  // the view's own directories stand for themselves
    out = view == "/" ? "/" + out : view + "/" + out;
    return 0;
  }

  // A relative path's directory that read_link could not name: no such descriptor
  // (left to the kernel, which answers EBADF), or one the supervisor cannot name.
  static int unnamed_base_error(const std::string& link) {
    char c;
    if (::readlink(link.c_str(), &c, 1) < 0 && errno == ENOENT) return -1;
    return ENAMETOOLONG;
  }

  // view_.translate, with /proc's magic links of the app (proc_links.h) read as the
  // view's paths they stand for, and the host kernel's settings read-only.
  Translation translate_for(pid_t pid, std::string path, Intent intent, bool follow, unsigned mode = 0755) {
    for (int hops = 0;; ++hops) {
      Translation t = view_.translate(path, intent, follow, mode);
      if (t.error || t.real.rfind("/proc/", 0) != 0) return t;
      if (intent != Intent::Lookup && is_host_kernel_setting(t.real)) {
        t.error = EROFS;
        return t;
      }
      const ProcLink link = resolve_proc_link(pid, t.real, view_);
      if (!link.is_link || (link.whole && !follow)) return t;
      if (link.error || hops == 8) {
        t.error = link.error ? link.error : ELOOP;
        return t;
      }
      path = link.view_path;
    }
  }

  // A place's own root (a mount point under ns): not renamed, as the kernel answers
  // for a mount point.
  bool is_place_root(const std::string& view_path) const {
    const ViewPlace* place = view_.table().covering(view_path);
    return place && place->target == view_path;
  }

  // A path the kernel resolves (/proc): the supervisor does not act on it in its own
  // process, where /proc/self is the supervisor.
  bool in_kernel_place(const std::string& view_path) const {
    const ViewPlace* place = view_.table().covering(view_path);
    return place && place->kernel;
  }

  void exec(Stop& stop, const uint64_t (&args)[6]) {
    const pid_t pid = stop.pid();
    std::string path;
    if (const int named = view_path(pid, args, {-1, 0, Intent::Lookup, true}, path); named != 0) {
      return stop.skip(named > 0 ? -named : -ENOENT);
    }
    if (const int err = exec_view_path(pid, path)) return stop.skip(-err);
    // The arguments, read up to what the kernel itself takes (ARG_MAX, 2 MiB with the
    // default stack limit); their strings stay where they are in the app's memory.
    std::vector<std::string> argv;
    std::vector<uint64_t> in_app;
    size_t bytes = 0;
    for (uint64_t at = args[1]; at != 0; at += 8) {
      uint64_t p = 0;
      if (!read_tracee_u64(pid, at, p)) return stop.skip(-EFAULT);
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
    stop.set_arg(0, file);
    stop.set_arg(1, array);
    pending_exe_[pid] = r.program;
  }

  // An exec of /proc/self/exe (a program re-running itself) or of another /proc link
  // of the app: the view path it stands for, not the supervisor's own. 0 or an errno.
  int exec_view_path(pid_t pid, std::string& path) {
    if (const std::optional<pid_t> whose = exe_link_owner(pid, path)) {
      const std::string exe = program_of(*whose);
      if (exe.empty()) return ENOENT;
      path = exe;
      return 0;
    }
    const ProcLink link = resolve_proc_link(pid, path, view_);
    if (!link.is_link) return 0;
    if (link.error) return link.error;
    path = link.view_path;
    return 0;
  }

  // Whose /proc/PID/exe `path` is (self, thread-self, a number), nullopt if it is none.
  static std::optional<pid_t> exe_link_owner(pid_t pid, const std::string& path) {
    if (path == "/proc/self/exe" || path == "/proc/thread-self/exe") return pid;
    if (path.rfind("/proc/", 0) != 0 || path.size() <= 10 || path.compare(path.size() - 4, 4, "/exe") != 0) {
      return std::nullopt;
    }
    const std::string id = path.substr(6, path.size() - 10);
    if (id.empty() || id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const unsigned long n = std::stoul(id);
    if (n == 0 || n > 0x7fffffff) return std::nullopt;  // no such process: the kernel answers
    return static_cast<pid_t>(n);
  }

  void getcwd(Stop& stop, const uint64_t (&args)[6]) {
    const std::string real = read_link(fmt::format("/proc/{}/cwd", stop.pid()));
    const std::string view = view_.view_path_of(real);
    if (view.empty() || view == real) return;  // the kernel's answer is the view's
    if (view.size() + 1 > args[1]) return stop.skip(-ERANGE);
    if (!write_tracee(stop.pid(), args[0], view.c_str(), view.size() + 1)) return stop.skip(-EFAULT);
    stop.skip(static_cast<long>(view.size() + 1));
  }

  // /proc/self/exe (and /proc/PID/exe of a traced process) names the program the
  // process runs in the view, not the loader that runs it. True if answered.
  bool readlink_exe(Stop& stop, const uint64_t (&args)[6], const PathArg& a) {
    const std::string path = read_tracee_string(stop.pid(), args[a.path_arg]);
    const std::optional<pid_t> whose = exe_link_owner(stop.pid(), path);
    if (!whose) return false;
    const std::string exe = program_of(*whose);
    if (exe.empty()) return false;
    const uint64_t size = std::min<uint64_t>(args[a.path_arg + 2], exe.size());
    if (!write_tracee(stop.pid(), args[a.path_arg + 1], exe.data(), size)) {
      stop.skip(-EFAULT);
      return true;
    }
    stop.skip(static_cast<long>(size));
    return true;
  }

  // The view path of the program `pid` runs: its own exec's, its thread group's, or
  // (for a forked child that has not exec'd) its parent's.
  std::string program_of(pid_t pid) {
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
  void rename(Stop& stop, const uint64_t (&args)[6], const PathCall& call) {
    std::string from, to;
    for (const auto& [arg, out] : {std::pair{0, &from}, std::pair{1, &to}}) {
      if (const int named = view_path(stop.pid(), args, call.paths[static_cast<size_t>(arg)], *out); named != 0) {
        return stop.skip(named > 0 ? -named : -ENOENT);
      }
    }
    const Translation source = translate_for(stop.pid(), from, Intent::Write, false);
    if (source.error) return stop.skip(-(source.error == EIO ? EXDEV : source.error));
    if (is_place_root(source.view_path)) return stop.skip(-EBUSY);
    const Translation target = translate_for(stop.pid(), to, Intent::Create, false);
    if (target.error) return stop.skip(-target.error);
    if (is_place_root(target.view_path)) return stop.skip(-EBUSY);
    // /proc's names are the app's, not this process's: mv copies instead.
    if (in_kernel_place(source.view_path) || in_kernel_place(target.view_path)) return stop.skip(-EXDEV);
    const unsigned flags = stop.nr() == SYS_renameat2 ? static_cast<unsigned>(args[4]) : 0;
    if (flags & RENAME_EXCHANGE) return exchange(stop, source, target);
    if (::syscall(SYS_renameat2, AT_FDCWD, source.real.c_str(), AT_FDCWD, target.real.c_str(), flags) != 0) {
      return stop.skip(-errno);
    }
    const Translation hidden = view_.translate(from, Intent::Delete, false);
    if (hidden.error == ENOTEMPTY) {
      // A directory a lower layer holds too: undo, and let the caller copy it.
      ::syscall(SYS_renameat2, AT_FDCWD, target.real.c_str(), AT_FDCWD, source.real.c_str(), 0);
      return stop.skip(-EXDEV);
    }
    stop.skip(0);
  }

  // RENAME_EXCHANGE: both names stay, each copied up, swapped in the upper layer. A
  // directory a lower layer holds too cannot move there alone (EXDEV, as for rename).
  void exchange(Stop& stop, const Translation& source, const Translation& target) {
    if (source.kind == NodeKind::Dir || target.kind == NodeKind::Dir) return stop.skip(-EXDEV);
    if (::syscall(SYS_renameat2, AT_FDCWD, source.real.c_str(), AT_FDCWD, target.real.c_str(), RENAME_EXCHANGE) != 0) {
      return stop.skip(-errno);
    }
    stop.skip(0);
  }

  PathTranslator& view_;
  std::map<pid_t, std::string> exe_;          // each traced process's program, in the view
  std::map<pid_t, std::string> pending_exe_;  // an execve under way, by the calling thread
};

// The child: stopped for its tracer, then the filters, then the plan's program. Its
// execve is the first call the supervisor rewrites: the view's loader runs it.
[[noreturn]] void start_app(const LaunchPlan& plan, const std::string& cwd, const ErrorChannel& errors) {
  errors.run([&] {
    if (ptrace_call(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
      throw_sys("cannot be traced by", "appv's supervisor", errno, Exit::Environment);
    }
    ::raise(SIGSTOP);
    if (cwd.empty() || ::chdir(cwd.c_str()) != 0) {
      if (::chdir("/") != 0) throw_sys("cannot enter", "/", errno);
    }
    // Root's capabilities go, as under ns; a user holds none to drop (and may not
    // shrink the bounding set without CAP_SETPCAP): no_new_privs, set with the
    // filter, keeps the app from gaining any.
    if (::geteuid() == 0) drop_privileges();
    if (const int err = install_trace_filter(redirected_calls())) {
      throw Error(Exit::Environment, fmt::format("cannot load the supervisor's seccomp filter: {}", errno_text(err)));
    }
    install_seccomp_filter();
    install_ptrace_app_filter();
    std::vector<char*> args;
    for (const std::string& a : plan.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    for (const std::string& e : plan.env) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    ::execve(plan.program.c_str(), args.data(), env.data());
    const int err = errno;
    if (err == ENOENT) {
      throw Error(Exit::NotFound,
                  fmt::format("cannot run '{}': {}: {}", plan.program, advice_for(Attempt::Exec, err), errno_text(err)));
    }
    throw Error(Exit::CannotExecute, fmt::format("cannot run '{}': {}", plan.program, errno_text(err)));
  });
}

// The app runs as the same user as its supervisor: not dumpable, the supervisor's
// memory and descriptors are out of its reach (ptrace, process_vm_writev,
// /proc/PID/mem), also where its filter's ptrace refusal does not apply.
void keep_app_out_of_supervisor(pid_t app) {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    const int err = errno;
    ::kill(app, SIGKILL);
    throw_sys("cannot make the supervisor undumpable for", "the app", err, Exit::Environment);
  }
}

// This launch's own directory for listing stand-ins, made by mkdtemp (a name another
// user cannot take first); those of this user's supervisors that are gone (killed
// before they could remove theirs) are removed.
std::string make_listings_dir(const std::string& base) {
  const std::string prefix = fmt::format(".appv-listings-{}-", ::geteuid());
  if (DIR* d = ::opendir(base.c_str())) {
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      const size_t dash = rest.find('-');
      if (dash == 0 || dash == std::string::npos || dash > 10 || rest.find_first_not_of("0123456789") < dash) continue;
      struct stat st;
      const std::string path = base + "/" + name;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
      const long pid = std::stol(rest.substr(0, dash));
      if (pid > 0 && pid <= 0x7fffffff && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(path);
    }
    ::closedir(d);
    for (const std::string& path : stale) {
      try {
        remove_tree(path);
      } catch (const Error&) {
      }
    }
  }
  std::string at = fmt::format("{}/{}{}-XXXXXX", base, prefix, ::getpid());
  if (!::mkdtemp(at.data())) throw_sys("cannot create", at, errno, Exit::Environment);
  return at;
}

// A root supervisor from here on: what it does for the app (copy-up, rename,
// listings) with no more rights than the app's (privileges.h).
void act_with_app_rights(PathTranslator& view, pid_t app) {
  try {
    drop_supervisor_privileges(CAP_SYS_ADMIN);
  } catch (const Error&) {
    ::kill(app, SIGKILL);
    throw;
  }
  view.set_opaque_marker([](const std::string& path, const char* name) {
    return with_capability(CAP_SYS_ADMIN, [&] { return ::lsetxattr(path.c_str(), name, "y", 1, 0) == 0 ? 0 : errno; });
  });
}

// Nor can it keep a bus or a display from the app: it redirects paths, and connect()
// reaches the host's socket whatever the view shows there (a proxy's filter included).
// A denial the administrator's policy or the user's --deny made is refused rather than
// ignored; what the package itself leaves out is the weaker promise the README states.
void refuse_unkept_socket_denials(const LaunchPlan& plan) {
  static constexpr std::string_view kSocketPermissions[] = {"session-bus", "system-bus", "x11",
                                                            "wayland",     "pulseaudio", "pipewire"};
  for (const PermissionDecision& d : plan.permissions.decisions) {
    if (d.granted || d.source == "default" || d.source == "manifest") continue;
    if (std::find(std::begin(kSocketPermissions), std::end(kSocketPermissions), d.name) == std::end(kSocketPermissions)) continue;
    throw Error(Exit::Environment, fmt::format("the ptrace backend cannot take {} away (denied by {}): it redirects paths, "
                                               "not sockets; run with --backend ns, or where user namespaces are allowed",
                                               d.name, d.source));
  }
}

}  // namespace

int run_ptrace_backend(const LaunchPlan& plan) {
  if (plan.own_network) {
    // Without a network namespace the app would have the host's network: a denial
    // that is not kept is refused rather than ignored.
    throw Error(Exit::Environment,
                "the ptrace backend cannot take the network away (it makes no namespaces); run with --backend ns, "
                "or grant the network");
  }
  refuse_unkept_socket_denials(plan);
  // The view's hidden places (appv's sandboxes) show as this empty directory.
  const std::string empty = layout::join(plan.sandbox, ".empty");
  make_dirs(empty, 0555);
  // Stand-ins for merged directories (PathTranslator::listing_stand_in), this launch's
  // own: in memory where the host has /dev/shm (a directory of a few hundred empty
  // files took a third of a second on a busy disk), else in the sandbox.
  const std::string listings_base = ::access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : plan.sandbox;
  const std::string listings = make_listings_dir(listings_base);
  ScopeGuard remove_listings([&] {
    try {
      remove_tree(listings);
    } catch (const Error&) {
    }
  });
  PathTranslator view(ViewTable::from_plan(plan.mounts), empty, ::geteuid() == 0, listings);
  const Translation cwd = view.translate(plan.cwd, Intent::Lookup, true);
  OneCpu pinned;
  ErrorChannel errors;
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw_sys("cannot fork", "the app", errno, Exit::Environment);
  if (child == 0) start_app(plan, cwd.error ? std::string() : cwd.real, errors);
  errors.close_writer();
  keep_app_out_of_supervisor(child);
  SignalForwarding forwarding(child);
  int st = wait_for(child);
  if (!WIFSTOPPED(st)) {
    ErrorChannel::throw_reported(errors.drain());
    throw Error(Exit::Environment,
                "ptrace is refused here (kernel.yama.ptrace_scope=3, or a container's seccomp policy); the "
                "namespace-free backend needs it");
  }
  if (!set_trace_options(child)) {
    ::kill(child, SIGKILL);
    throw_sys("cannot set ptrace options on", "the app", errno, Exit::Environment);
  }
  if (::geteuid() == 0) act_with_app_rights(view, child);
  Supervisor supervisor(view);
  std::set<pid_t> started{child};
  ptrace_call(PTRACE_CONT, child, nullptr, nullptr);
  const int status = trace_until_done(
      child, [&](pid_t pid) { supervisor.on_stop(pid); }, [&](pid_t pid) { supervisor.on_exec(pid); }, started);
  ErrorChannel::throw_reported(errors.drain());
  return status;
}

}  // namespace appv
