#include "packager/tracer.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "manifests/paths.h"

// glibc's <sys/ptrace.h> clashes with <linux/ptrace.h>; the raw system call is enough.
namespace {
long do_ptrace(long request, pid_t pid, void* addr, void* data) { return ::syscall(SYS_ptrace, request, pid, addr, data); }
}  // namespace

namespace appv {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "trace capture supports x86_64 and aarch64"
#endif

// How each traced system call names its path: the argument holding a dirfd (-1 for
// none), the one holding the path, and what the call means for the file.
struct PathCall {
  long nr;
  int dirfd_arg;
  int path_arg;
  const char* how;  // "open" calls are classified further by their flags
  int flags_arg;    // open flags (-2: openat2's struct open_how, -1: none)
  int at_flags_arg = -1;  // *at flags: AT_EMPTY_PATH there means an fd, not a path
};

const std::vector<PathCall>& path_calls() {
  static const std::vector<PathCall> calls = {
#ifdef SYS_open
      {SYS_open, -1, 0, "open", 1},
#endif
#ifdef SYS_creat
      {SYS_creat, -1, 0, "create", -1},
#endif
      {SYS_openat, 0, 1, "open", 2},
#ifdef SYS_openat2
      {SYS_openat2, 0, 1, "open", -2},
#endif
      {SYS_execve, -1, 0, "exec", -1},
      {SYS_execveat, 0, 1, "exec", -1},
#ifdef SYS_stat
      {SYS_stat, -1, 0, "stat", -1},
#endif
#ifdef SYS_lstat
      {SYS_lstat, -1, 0, "stat", -1},
#endif
      {SYS_newfstatat, 0, 1, "stat", -1, 3},
      {SYS_statx, 0, 1, "stat", -1, 2},
#ifdef SYS_access
      {SYS_access, -1, 0, "stat", -1},
#endif
      {SYS_faccessat, 0, 1, "stat", -1},
#ifdef SYS_faccessat2
      {SYS_faccessat2, 0, 1, "stat", -1},
#endif
#ifdef SYS_readlink
      {SYS_readlink, -1, 0, "readlink", -1},
#endif
      {SYS_readlinkat, 0, 1, "readlink", -1},
  };
  return calls;
}

const PathCall* find_call(long nr) {
  for (const PathCall& c : path_calls()) {
    if (c.nr == nr) return &c;
  }
  return nullptr;
}

// The filter: SECCOMP_RET_TRACE for the calls above, ALLOW for everything else (and
// for other ABIs such as x32 or i386 compat, which are left alone). Every stop costs
// two context switches, so calls that name no new path stay in the kernel: fstat
// through newfstatat/statx with AT_EMPTY_PATH (the file was opened, and seen, before)
// and getdents (a directory is read through an fd that an O_DIRECTORY open named).
void install_filter() {
  std::vector<sock_filter> f;
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (const PathCall& c : path_calls()) {
    if (c.at_flags_arg < 0) {
      f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(c.nr), 0, 1));
      f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
      continue;
    }
    // nr matches: load the flags' low word (little-endian); AT_EMPTY_PATH -> ALLOW.
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(c.nr), 0, 4));
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * c.at_flags_arg)));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH, 0, 1));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    ::_exit(122);
  }
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// A NUL-terminated string from the tracee's memory, read a page at a time.
std::string read_string(pid_t pid, uint64_t addr) {
  std::string out;
  char buf[4096];
  while (out.size() < 4096 * 4) {
    size_t chunk = 4096 - (addr % 4096);  // never cross into a page that may be unmapped
    iovec local{buf, chunk};
    iovec remote{reinterpret_cast<void*>(addr), chunk};
    ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return {};
    const void* nul = std::memchr(buf, 0, static_cast<size_t>(n));
    if (nul) return out.append(buf, static_cast<const char*>(nul) - buf);
    out.append(buf, static_cast<size_t>(n));
    addr += static_cast<uint64_t>(n);
  }
  return {};
}

bool read_u64(pid_t pid, uint64_t addr, uint64_t& value) {
  iovec local{&value, sizeof value};
  iovec remote{reinterpret_cast<void*>(addr), sizeof value};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof value;
}

// Tracer and tracees on one CPU while tracing: each stop is a wake-up of the other
// side, and a wake-up across CPUs (an inter-processor interrupt, costly in a VM) cost
// three times as much as a local switch here. Restores the caller's CPUs on exit.
class OneCpu {
 public:
  OneCpu() {
    have_ = ::sched_getaffinity(0, sizeof old_, &old_) == 0;
    const int cpu = ::sched_getcpu();
    if (!have_ || cpu < 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    have_ = ::sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~OneCpu() {
    if (have_) ::sched_setaffinity(0, sizeof old_, &old_);
  }
  OneCpu(const OneCpu&) = delete;
  OneCpu& operator=(const OneCpu&) = delete;

 private:
  cpu_set_t old_;
  bool have_ = false;
};

class Tracer {
 public:
  TraceResult run(const std::vector<std::string>& argv, const std::optional<std::vector<std::string>>& env) {
    // argv and envp for execvpe, built before fork: the child only execs.
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    if (env) {
      for (const std::string& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
      envp.push_back(nullptr);
    }
    OneCpu pinned;
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe", errno);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw_sys("cannot fork", "the traced command", errno, Exit::Environment);
    if (child == 0) exec_child(args.data(), env ? envp.data() : environ, report[1]);
    ::close(report[1]);
    int st = 0;
    if (::waitpid(child, &st, 0) != child || !WIFSTOPPED(st)) {
      ::close(report[0]);
      throw Error(Exit::Environment,
                  "ptrace is refused here (kernel.yama.ptrace_scope=3, or a container's seccomp policy); trace "
                  "capture needs it: pack with closure capture and a manifest instead");
    }
    const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                         PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (do_ptrace(PTRACE_SETOPTIONS, child, nullptr, reinterpret_cast<void*>(options)) != 0) {
      ::kill(child, SIGKILL);
      throw_sys("cannot set ptrace options on", "the traced command", errno, Exit::Environment);
    }
    started_.insert(child);
    do_ptrace(PTRACE_CONT, child, nullptr, nullptr);
    loop(child);
    // The child reports why it could not start: 122 seccomp refused, errno of execvp.
    int why = 0;
    ssize_t n = ::read(report[0], &why, sizeof why);
    ::close(report[0]);
    if (n == sizeof why) {
      if (why == -1) throw Error(Exit::Environment, "seccomp filters are refused here; trace capture needs them");
      throw Error(why == ENOENT ? Exit::NotFound : Exit::CannotExecute,
                  fmt::format("cannot run '{}': {}", argv[0], errno_text(why)));
    }
    result_.processes = started_.size();
    return std::move(result_);
  }

 private:
  [[noreturn]] static void exec_child(char* const* args, char* const* envp, int report) {
    if (do_ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) ::_exit(121);
    ::raise(SIGSTOP);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      int e = -1;
      (void)!::write(report, &e, sizeof e);
      ::_exit(122);
    }
    install_filter();
    ::execvpe(args[0], args, envp);
    int e = errno;
    (void)!::write(report, &e, sizeof e);
    ::_exit(127);
  }

  void loop(pid_t root) {
    for (;;) {
      int st = 0;
      const pid_t pid = ::waitpid(-1, &st, __WALL);
      if (pid < 0) {
        if (errno == EINTR) continue;
        if (errno == ECHILD) return;
        throw_sys("cannot wait for", "the traced command", errno);
      }
      if (WIFEXITED(st) || WIFSIGNALED(st)) {
        if (pid == root) result_.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        continue;
      }
      if (!WIFSTOPPED(st)) continue;
      const int sig = WSTOPSIG(st);
      const int event = st >> 16;
      long inject = 0;
      if (started_.insert(pid).second && sig == SIGSTOP) {
        // A new process or thread's first stop: nothing to deliver.
      } else if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
        on_syscall(pid);
      } else if (sig == SIGTRAP && event != 0) {
        // fork, vfork, clone (clone3 included) and exec events: the new tracee is
        // already attached; nothing to do.
      } else {
        inject = sig;  // a real signal for the tracee
      }
      do_ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(inject));
    }
  }

  void on_syscall(pid_t pid) {
    ++result_.stops;
    ptrace_syscall_info info{};
    if (do_ptrace(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info) <= 0 ||
        info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
      return;
    }
    const PathCall* call = find_call(static_cast<long>(info.seccomp.nr));
    if (!call) return;
    const auto* args = info.seccomp.args;
    std::string path;
    if (call->path_arg < 0) {
      path = read_link(fmt::format("/proc/{}/fd/{}", pid, static_cast<int>(args[0])));
    } else {
      path = read_string(pid, args[call->path_arg]);
      if (path.empty()) {
        // "" with AT_EMPTY_PATH names the dirfd itself (fstatat, execveat).
        if (call->dirfd_arg < 0) return;
        path = read_link(fmt::format("/proc/{}/fd/{}", pid, static_cast<int>(args[call->dirfd_arg])));
      } else if (path[0] != '/') {
        const int dirfd = call->dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(args[call->dirfd_arg]);
        const std::string base = dirfd == AT_FDCWD ? read_link(fmt::format("/proc/{}/cwd", pid))
                                                   : read_link(fmt::format("/proc/{}/fd/{}", pid, dirfd));
        if (base.empty() || base[0] != '/') return;
        path = base + "/" + path;
      }
    }
    if (path.empty() || path[0] != '/') return;  // pipes, sockets, anonymous files
    path = normalize_absolute(path);
    bool writes = std::strcmp(call->how, "create") == 0;
    const char* how = call->how;
    if (call->flags_arg >= 0 || call->flags_arg == -2) {
      uint64_t flags = 0;
      if (call->flags_arg >= 0) flags = args[call->flags_arg];
      else if (!read_u64(pid, args[2], flags)) flags = 0;  // open_how.flags
      writes = writes || (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
      if (flags & O_DIRECTORY) how = "list";  // opendir(): the directory is read next
    }
    if (writes) {
      result_.written.emplace(path, call->how);
      return;
    }
    // The strongest use is kept: a program stat'ed on PATH and then executed is "exec".
    auto [it, inserted] = result_.used.emplace(path, how);
    if (!inserted && rank(how) > rank(it->second)) it->second = how;
  }

  static int rank(std::string_view how) {
    return how == "exec" ? 4 : how == "list" ? 3 : how == "open" ? 2 : how == "readlink" ? 1 : 0;
  }

  std::set<pid_t> started_;
  TraceResult result_;
};

}  // namespace

TraceResult trace_command(const std::vector<std::string>& argv, const std::optional<std::vector<std::string>>& env) {
  if (argv.empty()) throw Error(Exit::Usage, "nothing to trace: give a command after --");
  return Tracer().run(argv, env);
}

}  // namespace appv
