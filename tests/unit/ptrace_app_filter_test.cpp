// The ptrace backend's own rules for the app (redirect/ptrace_app_filter.h), loaded in
// a forked child that then makes the calls, and the reading of /proc's magic links
// (redirect/proc_links.h) over a real view.
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "base/fs_util.h"
#include "base/tracing.h"
#include "redirect/path_syscalls.h"
#include "redirect/proc_links.h"
#include "redirect/ptrace_app_filter.h"
#include "redirect/seccomp_filter.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using appv::test::TempDir;
using appv::test::write_file;

namespace {

enum class Below {
  Nothing,   // the rules alone
  Listener,  // on top of the supervisor's filter with its listener
  Head,      // with appv's own filter at the head of the supervisor's, one program, as the app runs them
};

// Runs `call` in a child under the rules; its result: the call's errno (0 for success),
// or 128 + the signal that killed the child. With Below::Listener the child first loads
// the supervisor's trace filter with a listener for the hot calls (base/tracing.h), with
// Below::Head the rules at that filter's head, one program, as ptrace_backend.cpp's app
// does; none of the calls tried here is one it notifies.
int under_rules(const std::function<long()>& call, Below below = Below::Nothing) {
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork");
  if (child == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    int listener = -1;
    if (below == Below::Listener && (install_trace_filter(redirected_calls(), &listener) != 0 || listener < 0)) ::_exit(102);
    if (below == Below::Head) {
      if (install_trace_filter(redirected_calls(), &listener, chain_filters(ptrace_app_rules(), seccomp_program())) != 0 ||
          listener < 0) {
        ::_exit(102);
      }
    } else {
      try {
        install_ptrace_app_filter();
      } catch (...) {
        ::_exit(101);
      }
    }
    errno = 0;
    const long r = call();
    ::_exit(r < 0 ? (errno & 0x7f) : 0);
  }
  int st = 0;
  ::waitpid(child, &st, 0);
  return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

#if defined(__x86_64__)
long int80_getpid() {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");  // i386 getpid
  return ret;
}

// Whether this host takes i386 calls at all: some do not (ia32_emulation=0, or a
// hypervisor's guest kernel where int $0x80 faults with SIGSEGV before any filter).
bool int80_reaches_the_kernel() {
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork");
  if (child == 0) {
    ::signal(SIGSEGV, SIG_DFL);  // not the test framework's report, from a child
    ::_exit(int80_getpid() > 0 ? 0 : 1);
  }
  int st = 0;
  ::waitpid(child, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
#endif

}  // namespace

TEST_CASE("the app's rules refuse what would go past the supervisor and allow the rest") {
  const Below below = GENERATE(Below::Nothing, Below::Listener, Below::Head);
  CAPTURE(below == Below::Listener ? "over the listener filter" : below == Below::Head ? "at its head" : "alone");
  const auto under = [below](const std::function<long()>& call) { return under_rules(call, below); };
  CHECK(under([] { return ::syscall(SYS_getpid); }) == 0);
  CHECK(under([] { return ::syscall(SYS_io_uring_setup, 4, nullptr); }) == ENOSYS);
  CHECK(under([] { return ::syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0); }) == ENOSYS);
  CHECK(under([] { return ::syscall(SYS_io_uring_register, -1, 0, nullptr, 0); }) == ENOSYS);
  CHECK(under([] { return ::syscall(SYS_ptrace, PTRACE_TRACEME, 0, nullptr, nullptr); }) == EPERM);
  // A filter with a listener: refused before the kernel reads the (missing) program
  // (over the supervisor's listener too, where the kernel's own answer would be EBUSY).
  CHECK(under([] { return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, nullptr); }) ==
        EPERM);
  // Without one the kernel reads the program: EFAULT for none, so not refused here.
  CHECK(under([] { return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, nullptr); }) == EFAULT);
  CHECK(under([] { return ::syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0); }) == EPERM);
  // PR_SET_DUMPABLE 0 answers success and the process stays open to its tracer.
  CHECK(under([] {
          if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return -1L;
          errno = EDOM;
          return ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1 ? 0L : -1L;
        }) == 0);
  // fchmodat2 (452) and everything newer than the list the backend knows, but the
  // futex2 calls, which name no path.
  CHECK(under([] { return ::syscall(452, AT_FDCWD, "/", 0755, 0); }) == ENOSYS);
  CHECK(under([] { return ::syscall(467, AT_FDCWD, "/", 0, nullptr, 0); }) == ENOSYS);
  CHECK(under([] { return ::syscall(999); }) == ENOSYS);
  CHECK(under([] { return ::syscall(454, nullptr, 0, 1, 0); }) != ENOSYS);  // futex_wake: EINVAL/EFAULT
  const int fd_flags = under([] {
    long flags = 0;
    return static_cast<long>(::ioctl(0, FS_IOC_SETFLAGS, &flags));
  });
  CHECK(fd_flags == EPERM);
  if (below == Below::Head) {
    // appv's own filter (seccomp_filter.h), chained after the rules, still refuses.
    CHECK(under([] { return ::syscall(SYS_unshare, CLONE_NEWUTS); }) == EPERM);
    CHECK(under([] { return ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0); }) == EPERM);
    CHECK(under([] { return ::syscall(SYS_keyctl, 0, 0, 0, 0, 0); }) == EPERM);
  }
#if defined(__x86_64__)
  if (int80_reaches_the_kernel()) {
    CHECK(under(int80_getpid) == 128 + SIGSYS);
  } else {
    WARN("this host takes no i386 call (int $0x80 faults unfiltered): the filter's answer to one is not seen here");
  }
  CHECK(under([] { return ::syscall(SYS_getpid | 0x40000000); }) == 128 + SIGSYS);
#endif
}

namespace {

// /usr (full: upper over a package), /tmp (the host's, bound), /hidden (appv's).
struct View {
  TempDir t;
  PathTranslator tr{build()};

  PathTranslator build() {
    for (const char* d : {"pkg/usr/bin", "upper", "host-tmp", "outside", "empty"}) make_dirs(t / d);
    write_file(t / "pkg/usr/bin/tool", "tool\n");
    write_file(t / "host-tmp/file", "tmp file\n");
    write_file(t / "outside/file", "not in the view\n");
    Plan plan;
    plan.ops.push_back(MountOp::overlay("/usr", {t / "pkg/usr"}, t / "upper/usr", t / "work", "full"));
    plan.ops.push_back(MountOp::bind("/tmp", t / "host-tmp", "host"));
    plan.ops.push_back(MountOp::hide("/hidden", "appv's"));
    plan.ops.push_back(MountOp::proc("/proc", "the kernel's"));
    return PathTranslator(ViewTable::from_plan(plan), {t / "empty", t / "empty-file"}, false);
  }
};

}  // namespace

TEST_CASE("/proc/self/root, cwd and fd/N are read as the view paths they stand for") {
  View v;
  const pid_t self = ::getpid();
  ProcLink l = resolve_proc_link(self, "/proc/self/root/usr/bin/tool", v.tr);
  CHECK(l.is_link);
  CHECK(l.error == 0);
  CHECK(l.view_path == "/usr/bin/tool");
  CHECK_FALSE(l.whole);
  CHECK(resolve_proc_link(self, "/proc/self/root", v.tr).view_path == "/");
  CHECK(resolve_proc_link(self, "/proc/self/root", v.tr).whole);
  // Taken lexically up to the link, the rest left to the view.
  CHECK(resolve_proc_link(self, "/proc/self/../self/./root/usr/../etc", v.tr).view_path == "/usr/../etc");
  CHECK(resolve_proc_link(self, "/proc/" + std::to_string(self) + "/task/" + std::to_string(self) + "/root/x", v.tr)
            .view_path == "/x");
  CHECK(resolve_proc_link(self, "/proc/thread-self/root/x", v.tr).view_path == "/x");
  // Other entries of /proc are the kernel's.
  CHECK_FALSE(resolve_proc_link(self, "/proc/self/status", v.tr).is_link);
  CHECK_FALSE(resolve_proc_link(self, "/proc/sys/vm/swappiness", v.tr).is_link);
  CHECK_FALSE(resolve_proc_link(self, "/proc/" + std::string(30, '9') + "/root", v.tr).is_link);
  // A process this one does not trace (its parent): its root is the host's.
  l = resolve_proc_link(self, "/proc/" + std::to_string(::getppid()) + "/root/etc/passwd", v.tr);
  CHECK(l.is_link);
  CHECK(l.error == EACCES);

  // Descriptors: a file of a layer by its view path, a file of no layer refused, a
  // pipe left as it is.
  const int in_view = ::open((v.t / "host-tmp/file").c_str(), O_RDONLY | O_CLOEXEC);
  const int outside = ::open((v.t / "outside/file").c_str(), O_RDONLY | O_CLOEXEC);
  int pipe_fds[2];
  REQUIRE(in_view >= 0);
  REQUIRE(outside >= 0);
  REQUIRE(::pipe(pipe_fds) == 0);
  CHECK(resolve_proc_link(self, "/proc/self/fd/" + std::to_string(in_view), v.tr).view_path == "/tmp/file");
  CHECK(resolve_proc_link(self, "/proc/self/fd/" + std::to_string(outside), v.tr).error == EACCES);
  CHECK_FALSE(resolve_proc_link(self, "/proc/self/fd/" + std::to_string(pipe_fds[0]), v.tr).is_link);
  CHECK(resolve_proc_link(self, "/proc/self/fd/99999", v.tr).error == ENOENT);
  for (int fd : {in_view, outside, pipe_fds[0], pipe_fds[1]}) ::close(fd);
}

TEST_CASE("the host kernel's settings are recognised however /proc/sys is spelled") {
  CHECK(is_host_kernel_setting("/proc/sys/vm/swappiness"));
  CHECK(is_host_kernel_setting("/proc/sys"));
  CHECK(is_host_kernel_setting("/proc/self/../sys/kernel/x"));
  CHECK(is_host_kernel_setting("/proc/sysrq-trigger"));
  CHECK_FALSE(is_host_kernel_setting("/proc/self/status"));
  CHECK_FALSE(is_host_kernel_setting("/proc/sysvipc/shm"));
  CHECK_FALSE(is_host_kernel_setting("/usr/proc/sys"));
}

TEST_CASE("the memory map listing names mapped files by their view paths") {
  CHECK(is_maps_file("/proc/42/maps"));
  CHECK(is_maps_file("/proc/42/smaps"));
  CHECK(is_maps_file("/proc/42/task/43/maps"));
  CHECK_FALSE(is_maps_file("/proc/self/maps"));  // the caller's pid is put in first
  CHECK_FALSE(is_maps_file("/proc/42/maps/x"));
  CHECK_FALSE(is_maps_file("/proc/42/smaps_rollup"));
  CHECK_FALSE(is_maps_file("/proc/42/task/maps"));
  CHECK_FALSE(is_maps_file("/usr/proc/42/maps"));
  const auto view_of = [](const std::string& real) -> std::string {
    const std::string cache = "/home/u/.cache/appv/d/root";
    if (real.rfind(cache + "/", 0) == 0) return real.substr(cache.size());
    return real == "/usr/bin/host-tool" ? real : std::string();
  };
  const std::string maps =
      "55d0c0a00000-55d0c0a21000 r--p 00000000 fe:00 11126457                   /home/u/.cache/appv/d/root/usr/bin/python3.11\n"
      "7fb0259d5000-7fb0259fb000 r-xp 00026000 fe:00 11126458                   /home/u/.cache/appv/d/root/usr/lib/libc.so.6\n"
      "7fb025a00000-7fb025a01000 rw-s 00000000 00:01 77                         /home/u/.cache/appv/d/root/tmp/x (deleted)\n"
      "7fb025b00000-7fb025b01000 r--p 00000000 fe:00 9                          /usr/bin/host-tool\n"
      "7fb025c00000-7fb025c21000 rw-p 00000000 00:00 0                          [heap]\n"
      "7fb025d00000-7fb025d01000 rw-p 00000000 00:00 0 \n"
      "Size:                  4 kB\n"
      "7fb025e00000-7fb025e01000 r--p 00000000 fe:00 10                         /home/u/not cached/file";
  const std::string shown = maps_in_view(maps, view_of);
  CHECK(shown ==
        "55d0c0a00000-55d0c0a21000 r--p 00000000 fe:00 11126457                   /usr/bin/python3.11\n"
        "7fb0259d5000-7fb0259fb000 r-xp 00026000 fe:00 11126458                   /usr/lib/libc.so.6\n"
        "7fb025a00000-7fb025a01000 rw-s 00000000 00:01 77                         /tmp/x (deleted)\n"
        "7fb025b00000-7fb025b01000 r--p 00000000 fe:00 9                          /usr/bin/host-tool\n"
        "7fb025c00000-7fb025c21000 rw-p 00000000 00:00 0                          [heap]\n"
        "7fb025d00000-7fb025d01000 rw-p 00000000 00:00 0 \n"
        "Size:                  4 kB\n"
        "7fb025e00000-7fb025e01000 r--p 00000000 fe:00 10                         /home/u/not cached/file");
  CHECK(maps_in_view("", view_of).empty());
}
