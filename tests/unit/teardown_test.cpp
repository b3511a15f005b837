// The holder that lets `appv run` return while its view is torn down: it must hold the
// sandbox's lock from the moment the launch returns until the instance's init is
// gone, and no longer.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "base/file_lock.h"
#include "redirect/teardown.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/layout.h"

using namespace appv;
using appv::test::TempDir;

namespace {

// Whether another launch could take the sandbox's lock now.
bool lock_is_free(const std::string& sandbox) {
  return static_cast<bool>(lock_file(layout::sandbox_lock(sandbox), 0600, LockWait::Try));
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
  bool freed = false;
  for (int i = 0; i < 200 && !freed; ++i) {
    freed = lock_is_free(sandbox);
    if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(freed);
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
