#include "packager/tracer.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/tracing.h"
#include "manifests/paths.h"

namespace appv {
namespace {

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

// The filter stops the calls above (base/tracing.h). Every stop costs two context
// switches, so calls that name no new path stay in the kernel: fstat through
// newfstatat/statx with AT_EMPTY_PATH (the file was opened, and seen, before) and
// getdents (a directory is read through an fd that an O_DIRECTORY open named).
std::vector<StoppedCall> stopped_calls() {
  std::vector<StoppedCall> out;
  for (const PathCall& c : path_calls()) out.push_back({c.nr, c.at_flags_arg});
  return out;
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

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
    SeizeGate gate;
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe", errno);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw_sys("cannot fork", "the traced command", errno, Exit::Environment);
    if (child == 0) exec_child(args.data(), env ? envp.data() : environ, report[1], gate);
    ::close(report[1]);
    const int seized = gate.seize(child);
    int st = 0;
    if (seized != 0 || ::waitpid(child, &st, 0) != child || !WIFSTOPPED(st)) {
      if (seized == 0) ::kill(child, SIGKILL);
      ::waitpid(child, &st, 0);
      ::close(report[0]);
      throw Error(Exit::Environment,
                  "ptrace is refused here (kernel.yama.ptrace_scope=3, or a container's seccomp policy); trace "
                  "capture needs it: pack with closure capture and a manifest instead");
    }
    started_.insert(child);
    ptrace_call(PTRACE_CONT, child, nullptr, nullptr);
    const int st_root = trace_until_done(child, [&](pid_t pid) { on_syscall(pid); }, {}, started_);
    result_.status = WIFEXITED(st_root) ? WEXITSTATUS(st_root) : WIFSIGNALED(st_root) ? 128 + WTERMSIG(st_root) : 0;
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
  [[noreturn]] static void exec_child(char* const* args, char* const* envp, int report, SeizeGate& gate) {
    if (!gate.wait_in_child()) ::_exit(121);
    ::raise(SIGSTOP);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      int e = -1;
      (void)!::write(report, &e, sizeof e);
      ::_exit(122);
    }
    if (install_trace_filter(stopped_calls()) != 0) ::_exit(122);
    ::execvpe(args[0], args, envp);
    int e = errno;
    (void)!::write(report, &e, sizeof e);
    ::_exit(127);
  }

  void on_syscall(pid_t pid) {
    ++result_.stops;
    ptrace_syscall_info info{};
    if (ptrace_call(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info) <= 0 ||
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
      path = read_tracee_string(pid, args[call->path_arg]);
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
      else if (!read_tracee_u64(pid, args[2], flags)) flags = 0;  // open_how.flags
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
