// The supervisor's own /proc entries told apart from the app's, however a path names
// them: a process may open its own /proc/PID/mem and fd/N whatever its dumpable flag,
// so the supervisor must never open such a path for the app.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "base/unique_fd.h"
#include "redirect/tracee_proc.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;

TEST_CASE("passes_through_own_proc: this process's directory, by pid, self, thread-self and ..") {
  const pid_t self = ::getpid();
  CHECK(passes_through_own_proc(fmt::format("/proc/{}/mem", self)));
  CHECK(passes_through_own_proc(fmt::format("/proc/{}", self)));
  CHECK(passes_through_own_proc("/proc/self/environ"));
  CHECK(passes_through_own_proc("/proc/thread-self/fd/0"));
  CHECK(passes_through_own_proc(fmt::format("/proc/1/../{}/mem", self)));
  CHECK(passes_through_own_proc(fmt::format("/proc/./{}/task/{}/mem", self, self)));
}

TEST_CASE("passes_through_own_proc: another thread of this process counts, by its tid") {
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  std::thread other([&] {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    while (!done) ::usleep(1000);
  });
  while (tid == 0) ::usleep(1000);
  CHECK(passes_through_own_proc(fmt::format("/proc/{}/mem", tid.load())));
  done = true;
  other.join();
}

TEST_CASE("passes_through_own_proc: another process, and numbers that are no procfs's, do not") {
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  CHECK_FALSE(passes_through_own_proc(fmt::format("/proc/{}/mem", child)));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  test::TempDir dir;
  const std::string numbered = dir.path() + "/" + std::to_string(::getpid());
  REQUIRE(::mkdir(numbered.c_str(), 0700) == 0);
  CHECK_FALSE(passes_through_own_proc(numbered + "/mem"));
  CHECK_FALSE(passes_through_own_proc(dir.path() + "/self"));
  CHECK_FALSE(passes_through_own_proc("/usr/lib/python3.11/os.py"));
  CHECK_FALSE(passes_through_own_proc("/proc/sys/kernel/ostype"));
}

TEST_CASE("passes_through_own_proc: through a link to /proc, as the kernel resolves it") {
  test::TempDir dir;
  const std::string link = dir.path() + "/p";
  REQUIRE(::symlink("/proc", link.c_str()) == 0);
  CHECK(passes_through_own_proc(fmt::format("{}/{}/mem", link, ::getpid())));
}

TEST_CASE("is_own_proc_file: an open file of this process's /proc directory, however it was reached") {
  test::TempDir dir;
  const std::string link = dir.path() + "/status";
  REQUIRE(::symlink(fmt::format("/proc/{}/status", ::getpid()).c_str(), link.c_str()) == 0);
  UniqueFd through_link(::open(link.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(through_link);
  CHECK(is_own_proc_file(through_link.get()));
  UniqueFd other(::open("/proc/1/stat", O_RDONLY | O_CLOEXEC));
  REQUIRE(other);
  CHECK_FALSE(is_own_proc_file(other.get()));
  UniqueFd ordinary(::open("/etc/hostname", O_RDONLY | O_CLOEXEC));
  REQUIRE(ordinary);
  CHECK_FALSE(is_own_proc_file(ordinary.get()));
}
