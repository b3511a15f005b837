#include "base/tracing.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "base/error.h"

namespace appv {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "appv's tracers support x86_64 and aarch64"
#endif

static_assert(sizeof(cpu_set_t) <= 128, "OneCpu keeps a cpu_set_t in 128 bytes");

}  // namespace

long ptrace_call(long request, pid_t pid, void* addr, void* data) { return ::syscall(SYS_ptrace, request, pid, addr, data); }

int install_trace_filter(const std::vector<StoppedCall>& calls) {
  std::vector<sock_filter> f;
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (const StoppedCall& c : calls) {
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
    return errno;
  }
  return 0;
}

std::string read_tracee_string(pid_t pid, uint64_t addr) {
  std::string out;
  char buf[4096];
  while (out.size() < 4096 * 4) {
    size_t chunk = 4096 - (addr % 4096);  // never cross into a page that may be unmapped
    iovec local{buf, chunk};
    iovec remote{reinterpret_cast<void*>(addr), chunk};
    ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return {};
    const void* nul = std::memchr(buf, 0, static_cast<size_t>(n));
    if (nul) return out.append(buf, static_cast<size_t>(static_cast<const char*>(nul) - buf));
    out.append(buf, static_cast<size_t>(n));
    addr += static_cast<uint64_t>(n);
  }
  return {};
}

bool read_tracee_u64(pid_t pid, uint64_t addr, uint64_t& value) {
  iovec local{&value, sizeof value};
  iovec remote{reinterpret_cast<void*>(addr), sizeof value};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof value;
}

bool write_tracee(pid_t pid, uint64_t addr, const void* data, size_t size) {
  iovec local{const_cast<void*>(data), size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  return ::process_vm_writev(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

OneCpu::OneCpu() {
  cpu_set_t old;
  have_ = ::sched_getaffinity(0, sizeof old, &old) == 0;
  const int cpu = ::sched_getcpu();
  if (!have_ || cpu < 0) {
    have_ = false;
    return;
  }
  std::memcpy(old_, &old, sizeof old);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  have_ = ::sched_setaffinity(0, sizeof one, &one) == 0;
}

OneCpu::~OneCpu() {
  if (!have_) return;
  cpu_set_t old;
  std::memcpy(&old, old_, sizeof old);
  ::sched_setaffinity(0, sizeof old, &old);
}

bool set_trace_options(pid_t pid) {
  const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  return ptrace_call(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options)) == 0;
}

int trace_until_done(pid_t root, const std::function<void(pid_t)>& on_seccomp, const std::function<void(pid_t)>& on_exec,
                     std::set<pid_t>& started) {
  int root_status = 0;
  for (;;) {
    int st = 0;
    const pid_t pid = ::waitpid(-1, &st, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) return root_status;
      throw_sys("cannot wait for", "the traced program", errno);
    }
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      if (pid == root) root_status = st;
      continue;
    }
    if (!WIFSTOPPED(st)) continue;
    const int sig = WSTOPSIG(st);
    const int event = st >> 16;
    long inject = 0;
    if (started.insert(pid).second && sig == SIGSTOP) {
      // A new process or thread's first stop: nothing to deliver.
    } else if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
      on_seccomp(pid);
    } else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
      if (on_exec) on_exec(pid);
    } else if (sig == SIGTRAP && event != 0) {
      // fork, vfork and clone events: the new tracee is already attached.
    } else {
      inject = sig;  // a real signal for the tracee
    }
    ptrace_call(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(inject));
  }
}

}  // namespace appv
