// The holder that lets `appv run` return while its view is torn down: it must hold the
// sandbox's lock from the moment the launch returns until the instance's init is
// gone, and no longer.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "base/file_lock.h"
#include "redirect/teardown.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/sandbox_access.h"
#include "vfs/layout.h"

using namespace appv;
using appv::test::TempDir;

namespace {

// Whether another launch could take the sandbox's lock now.
bool lock_is_free(const std::string& sandbox) {
  return static_cast<bool>(lock_file(layout::sandbox_lock(sandbox), 0600, LockWait::Try));
}

// Whether the sandbox's lock becomes free within two seconds (the holder lets go once
// the init it watches is gone).
bool lock_freed_within_2s(const std::string& sandbox) {
  for (int i = 0; i < 200; ++i) {
    if (lock_is_free(sandbox)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("teardown holder: the sandbox stays locked until the leaving init is gone, and the launch does not wait") {
  TempDir tmp;
  const std::string sandbox = tmp / "sandbox";
  REQUIRE(::mkdir(sandbox.c_str(), 0700) == 0);
  TeardownHolder holder(sandbox);
  // A stand-in for init, ending a while after the app: its pipe says when to go.
  int go[2];
  REQUIRE(::pipe(go) == 0);
  const pid_t init = ::fork();
  REQUIRE(init >= 0);
  if (init == 0) {
    ::close(go[1]);
    char c;
    (void)!::read(go[0], &c, 1);
    ::_exit(0);
  }
  ::close(go[0]);
  // Its record, which goes with it.
  std::ofstream(layout::instance(sandbox)) << init << " 1 view\n";
  const auto before = std::chrono::steady_clock::now();
  holder.hand_over(init);
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(1));
  CHECK(::access(layout::instance(sandbox).c_str(), F_OK) != 0);  // the instance is over
  CHECK_FALSE(lock_is_free(sandbox));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(lock_is_free(sandbox));  // init still lives
  ::close(go[1]);
  int status = 0;
  REQUIRE(::waitpid(init, &status, 0) == init);
  CHECK(lock_freed_within_2s(sandbox));
}

TEST_CASE("teardown holder: a record of another instance is left alone") {
  TempDir tmp;
  const std::string sandbox = tmp / "sandbox";
  REQUIRE(::mkdir(sandbox.c_str(), 0700) == 0);
  TeardownHolder holder(sandbox);
  const pid_t init = ::fork();
  REQUIRE(init >= 0);
  if (init == 0) ::_exit(0);
  std::ofstream(layout::instance(sandbox)) << init + 100000 << " 1 view\n";
  holder.hand_over(init);
  CHECK(::access(layout::instance(sandbox).c_str(), F_OK) == 0);
  int status = 0;
  ::waitpid(init, &status, 0);
}

TEST_CASE("teardown holder: a lingering init's lock stays taken until that init is gone") {
  TempDir tmp;
  const std::string sandbox = tmp / "sandbox";
  UniqueFd launch_lock = lock_sandbox(sandbox);
  UniqueFd linger_lock = open_sandbox_lock(sandbox);
  // The holder lets go of the launch's own lock as soon as it runs; forked without it
  // here, so that the checks below do not race that.
  launch_lock.reset();
  TeardownHolder holder(sandbox, linger_lock.get());
  REQUIRE(holder.running());
  launch_lock = lock_sandbox(sandbox);
  // A stand-in for init: told to leave, it takes the lock without waiting (as a
  // lingering init does) and reports whether it got it; told again, it ends.
  int go[2], got[2];
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(got) == 0);
  const pid_t init = ::fork();
  REQUIRE(init >= 0);
  if (init == 0) {
    launch_lock.reset();  // init keeps only its own descriptors (pid_namespace.cpp)
    ::close(go[1]);
    ::close(got[0]);
    char c;
    for (int i = 0; i < 2; ++i) {
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      const char taken = ::flock(linger_lock.get(), LOCK_EX | LOCK_NB) == 0 ? 'y' : 'n';
      if (::write(got[1], &taken, 1) != 1) ::_exit(1);
      if (taken == 'y') break;
    }
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    ::_exit(0);
  }
  ::close(go[0]);
  ::close(got[1]);
  const auto ask = [&] {
    char c = 'g', taken = 0;
    REQUIRE(::write(go[1], &c, 1) == 1);
    REQUIRE(::read(got[0], &taken, 1) == 1);
    return taken == 'y';
  };
  CHECK(holder.watch(init));
  linger_lock.reset();  // the launch has returned
  // While a launch holds the sandbox's lock (it may be about to join), init cannot leave.
  CHECK_FALSE(ask());
  launch_lock.reset();
  CHECK(lock_is_free(sandbox));  // lingering holds nothing
  CHECK(ask());
  CHECK_FALSE(lock_is_free(sandbox));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(lock_is_free(sandbox));  // init still lives: its teardown is not done
  const char end = 'e';
  REQUIRE(::write(go[1], &end, 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(init, &status, 0) == init);
  CHECK(lock_freed_within_2s(sandbox));  // the holder saw init gone and let go
  ::close(go[1]);
  ::close(got[0]);
}
