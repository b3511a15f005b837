#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>

#include <catch2/catch.hpp>

#include "base/bounded_stat.h"
#include "base/fs_util.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

TEST_CASE("lstat_within answers as lstat does, from another process") {
  TempDir dir;
  write_file(dir / "f", "12345");
  struct stat st {};
  REQUIRE(lstat_within(dir / "f", st, 5000) == 0);
  struct stat direct {};
  REQUIRE(::lstat((dir / "f").c_str(), &direct) == 0);
  CHECK(st.st_ino == direct.st_ino);
  CHECK(st.st_size == 5);
  CHECK(S_ISREG(st.st_mode));
  CHECK(lstat_within(dir / "missing", st, 5000) == ENOENT);
  CHECK(lstat_within(dir / "f/below", st, 5000) == ENOTDIR);
}

TEST_CASE("lstat_within gives up at its deadline and leaves the caller no child to reap") {
  TempDir dir;
  write_file(dir / "f", "x");
  struct stat st {};
  // A deadline already past: no answer can be waited for, whatever the looker does.
  CHECK(lstat_within(dir / "f", st, 0) == ETIMEDOUT);
  // The looker is an orphan (it may still hang in a mount that never answers): the
  // caller has no child of its own left, so its own waitpid(-1) never meets it.
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
