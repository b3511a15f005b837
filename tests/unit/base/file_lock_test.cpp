#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/file_lock.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

namespace {

// flock is per open file description, so a second open in this process competes
// for the lock just as another process would.
bool try_lock_elsewhere(const std::string& path) { return static_cast<bool>(lock_file(path, 0600, LockWait::Try)); }

}  // namespace

TEST_CASE("a file lock is exclusive while held and free once released") {
  TempDir dir;
  const std::string path = dir / "x.lock";
  {
    UniqueFd held = lock_file(path, 0640, LockWait::Block);
    REQUIRE(held);
    CHECK_FALSE(try_lock_elsewhere(path));
  }
  CHECK(try_lock_elsewhere(path));
}

TEST_CASE("a blocking file lock waits for the holder") {
  TempDir dir;
  const std::string path = dir / "x.lock";
  UniqueFd held = lock_file(path, 0600, LockWait::Block);
  pid_t child = ::fork();
  if (child == 0) {
    held.reset();  // the inherited descriptor shares the parent's lock
    UniqueFd mine = lock_file(path, 0600, LockWait::Block);  // waits until the parent lets go
    ::_exit(mine ? 0 : 1);
  }
  ::usleep(100 * 1000);
  int status = 0;
  CHECK(::waitpid(child, &status, WNOHANG) == 0);  // still waiting
  held.reset();
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a file lock refuses a symlink at its path") {
  TempDir dir;
  REQUIRE(::symlink((dir / "elsewhere").c_str(), (dir / "x.lock").c_str()) == 0);
  try {
    lock_file(dir / "x.lock", 0600, LockWait::Block);
    FAIL("locked through a symlink");
  } catch (const Error& e) {
    CHECK(e.op() == "cannot open lock");
    CHECK(e.err() == ELOOP);
  }
  CHECK_FALSE(exists(dir / "elsewhere"));
}

TEST_CASE("shared locks coexist and keep an exclusive one out") {
  TempDir dir;
  const std::string path = dir / "x.lock";
  UniqueFd first = lock_file(path, 0600, LockWait::Block, LockKind::Shared);
  UniqueFd second = lock_file(path, 0600, LockWait::Try, LockKind::Shared);
  CHECK(second);
  CHECK_FALSE(try_lock_elsewhere(path));
  first.reset();
  CHECK_FALSE(try_lock_elsewhere(path));
  second.reset();
  CHECK(try_lock_elsewhere(path));
}

TEST_CASE("a waiter whose lock file was removed by the holder locks the file there now") {
  TempDir dir;
  const std::string path = dir / "x.lock";
  UniqueFd held = lock_file(path, 0600, LockWait::Block);
  pid_t child = ::fork();
  if (child == 0) {
    held.reset();
    UniqueFd mine = lock_file(path, 0600, LockWait::Block);  // granted on the removed file first
    struct stat a, b;
    const bool same = ::fstat(mine.get(), &a) == 0 && ::lstat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino;
    ::_exit(same ? 0 : 1);
  }
  ::usleep(100 * 1000);
  REQUIRE(::unlink(path.c_str()) == 0);  // as `appv cache prune` does, holding the lock
  held.reset();
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(exists(path));
}
