#include <sys/stat.h>

#include <cerrno>

#include <catch2/catch.hpp>

#include "base/bounded_stat.h"
#include "base/fs_util.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

TEST_CASE("lstat_within answers as lstat does, from its child process") {
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
