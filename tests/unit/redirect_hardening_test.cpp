// What an app is left with just before exec: no capability and the system-call filter.
// Both change a process for good, so each case runs in a forked child that reports
// through its exit status: 0 when everything held, otherwise the number of the first
// check that failed (with the reason on stderr).
#include <catch2/catch.hpp>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include "base/error.h"
#include "redirect/child.h"
#include "redirect/privileges.h"
#include "redirect/seccomp_filter.h"

#include "tests/unit/support/in_child.h"

using namespace appv;
using appv::test::in_child;

namespace {

// Whether a call failed with `expected`; says what happened otherwise.
bool refused(const char* what, long rc, int expected) {
  if (rc == -1 && errno == expected) return true;
  std::fprintf(stderr, "child: %s returned %ld, errno %s (expected %s)\n", what, rc, std::strerror(errno),
               std::strerror(expected));
  return false;
}

std::string status_line(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  return "?";
}

bool all_zero(const std::string& field) {
  const std::string v = status_line(field);
  if (v.find_first_not_of("\t 0") == std::string::npos) return true;
  std::fprintf(stderr, "child: %s is%s\n", field.c_str(), v.c_str());
  return false;
}

}  // namespace

TEST_CASE("after drop_privileges no capability set holds anything and no_new_privs is set") {
  CHECK(in_child([] {
          drop_privileges();
          if (!all_zero("CapInh")) return 1;
          if (!all_zero("CapPrm")) return 2;
          if (!all_zero("CapEff")) return 3;
          if (!all_zero("CapBnd")) return 4;
          if (!all_zero("CapAmb")) return 5;
          if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 6;
          return 0;
        }) == 0);
}

TEST_CASE("drop_user_capabilities empties all but the bounding set, sets no_new_privs, and leaves errno alone") {
  CHECK(in_child([] {
          errno = EBADMSG;
          const CapabilityDrop drop = drop_user_capabilities();
          if (drop.step != CapabilityDrop::Step::None || drop.err != 0) return 1;
          if (errno != EBADMSG) return 2;
          if (!all_zero("CapInh")) return 3;
          if (!all_zero("CapPrm")) return 4;
          if (!all_zero("CapEff")) return 5;
          if (!all_zero("CapAmb")) return 6;
          if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 7;
          drop.throw_if_failed();  // nothing failed: returns
          return 0;
        }) == 0);
}

TEST_CASE("a capability drop that failed is thrown with its step and errno") {
  try {
    CapabilityDrop{CapabilityDrop::Step::Ambient, EPERM}.throw_if_failed();
    FAIL("not thrown");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Environment);
    CHECK(e.err() == EPERM);
    CHECK_THAT(e.what(), Catch::Contains("cannot clear") && Catch::Contains("the ambient capabilities"));
  }
}

TEST_CASE("the filter refuses typing into the terminal, with or without high bits in the request") {
  CHECK(in_child([] {
          drop_privileges();
          install_seccomp_filter();
          // A pipe is no terminal: unfiltered, these fail with ENOTTY, not EPERM.
          int p[2];
          if (::pipe(p) != 0) return 90;
          char c = 'x';
          if (!refused("TIOCSTI", ::ioctl(p[0], TIOCSTI, &c), EPERM)) return 1;
          if (!refused("TIOCSTI|1<<32", ::syscall(SYS_ioctl, p[0], 0x100000000UL | TIOCSTI, &c), EPERM)) return 2;
          char sub = 12;
          if (!refused("TIOCLINUX", ::ioctl(p[0], TIOCLINUX, &sub), EPERM)) return 3;
          // An unrelated request still reaches the kernel.
          if (!refused("TIOCGWINSZ", ::ioctl(p[0], TIOCGWINSZ, &c), ENOTTY)) return 4;
          return 0;
        }) == 0);
}

TEST_CASE("the filter refuses the keyring, new user namespaces, mounts and kernel surfaces; clone3 is ENOSYS") {
  CHECK(in_child([] {
          drop_privileges();
          install_seccomp_filter();
          if (!refused("keyctl", ::syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0), EPERM)) return 1;
          if (!refused("add_key", ::syscall(SYS_add_key, "user", "k", "v", 1, -3), EPERM)) return 2;
          if (!refused("unshare", ::unshare(CLONE_NEWUSER), EPERM)) return 3;
          if (!refused("clone(NEWUSER)", ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM)) return 4;
          if (!refused("clone3", ::syscall(SYS_clone3, nullptr, 0), ENOSYS)) return 5;
          if (!refused("mount", ::syscall(SYS_mount, "none", "/", "tmpfs", 0, nullptr), EPERM)) return 6;
          if (!refused("fsopen", ::syscall(SYS_fsopen, "tmpfs", 0), EPERM)) return 7;
          if (!refused("bpf", ::syscall(SYS_bpf, 0, nullptr, 0), EPERM)) return 8;
          if (!refused("userfaultfd", ::syscall(SYS_userfaultfd, 0), EPERM)) return 9;
          if (!refused("personality", ::personality(READ_IMPLIES_EXEC), EPERM)) return 10;
          if (::personality(PER_LINUX) == -1) return 11;
          // Plain fork still works (glibc's fork is clone without CLONE_NEWUSER).
          const pid_t pid = ::fork();
          if (pid == 0) ::_exit(7);
          int st = 0;
          if (pid < 0 || ::waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7) return 12;
          return 0;
        }) == 0);
}

TEST_CASE("run_child passes every catchable signal on to the app and returns its death by it") {
  for (int sig : {SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGHUP, SIGTERM}) {
    INFO("signal " << sig);
    // In a child of the test: without forwarding, the signal would kill that process.
    CHECK(in_child([sig] {
            const pid_t self = ::getpid();
            const pid_t sender = ::fork();
            if (sender == 0) {
              ::usleep(300 * 1000);
              ::kill(self, sig);
              ::_exit(0);
            }
            const int status = appv::run_child([] {
              const char* argv[] = {"sleep", "5", nullptr};
              ::execv("/bin/sleep", const_cast<char* const*>(argv));
              throw std::runtime_error("cannot exec /bin/sleep");
            });
            ::waitpid(sender, nullptr, 0);
            return WIFSIGNALED(status) && WTERMSIG(status) == sig ? 0 : 1;
          }) == 0);
  }
}
