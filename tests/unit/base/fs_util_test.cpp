// base/fs_util: copies between file systems, and work in another directory that
// leaves the caller's working directory alone.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <climits>
#include <string>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/unique_fd.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using namespace appv::test;

namespace {

std::string current_dir() {
  char buf[PATH_MAX];
  REQUIRE(::getcwd(buf, sizeof buf) != nullptr);
  return buf;
}

}  // namespace

TEST_CASE("copy_bytes copies between file systems, where copy_file_range refuses (EXDEV)") {
  // A memfd lives on the kernel's internal shmem mount: another file system than any
  // directory, tmpfs included.
  UniqueFd in(::memfd_create("appv-copy-test", MFD_CLOEXEC));
  REQUIRE(in);
  std::string content;
  for (int i = 0; content.size() < (3u << 20) + 17; ++i) content += std::to_string(i) + ",";
  REQUIRE(::write(in.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  TempDir dir;
  UniqueFd out(::open((dir / "copy").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  REQUIRE(out);
  // The case this test is for: the kernel refuses the fast path here.
  loff_t off = 0;
  CHECK(::copy_file_range(in.get(), &off, out.get(), nullptr, 1, 0) == -1);
  CHECK(errno == EXDEV);
  copy_bytes(in.get(), out.get(), content.size(), "memfd");
  CHECK(read_file(dir / "copy") == content);

  // A file shorter than the size asked for is an error, not a short copy.
  UniqueFd out2(::open((dir / "copy2").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  Thrown short_file = thrown_by([&] { copy_bytes(in.get(), out2.get(), content.size() + 1, "memfd"); });
  CHECK(short_file.message == "cannot read 'memfd': Input/output error");
}

TEST_CASE("run_in_directory works in a directory and leaves the caller's where it was") {
  TempDir dir;
  REQUIRE(::mkdir((dir / "work").c_str(), 0700) == 0);
  REQUIRE(::mkdir((dir / "caller").c_str(), 0700) == 0);
  const std::string before = current_dir();
  REQUIRE(::chdir((dir / "caller").c_str()) == 0);
  std::string seen;
  run_in_directory(dir / "work", [&] {
    seen = current_dir();
    write_file("made-here", "x");
  });
  CHECK(seen == dir / "work");
  CHECK(read_file(dir / "work/made-here") == "x");
  CHECK(current_dir() == dir / "caller");

  // What the body throws comes out, and the caller is still where it was.
  Thrown failed = thrown_by([&] { run_in_directory(dir / "work", [] { throw Error(Exit::BadInput, "bad entry"); }); });
  CHECK(failed.code == Exit::BadInput);
  CHECK(failed.message == "bad entry");
  CHECK(current_dir() == dir / "caller");
  Thrown missing = thrown_by([&] { run_in_directory(dir / "none", [] {}); });
  CHECK(missing.message.rfind("cannot enter '" + dir / "none" + "'", 0) == 0);

  // A caller whose own directory it may no longer open or enter (`sudo -u USER` from
  // root's home; here its mode taken away) keeps it. Root may enter anything, so this
  // part means something only for a user.
  REQUIRE(::chmod((dir / "caller").c_str(), 0) == 0);
  if (::geteuid() != 0) CHECK(::open(".", O_RDONLY | O_DIRECTORY) == -1);
  run_in_directory(dir / "work", [&] { write_file("made-again", "y"); });
  CHECK(read_file(dir / "work/made-again") == "y");
  CHECK(current_dir() == dir / "caller");
  REQUIRE(::chmod((dir / "caller").c_str(), 0700) == 0);
  REQUIRE(::chdir(before.c_str()) == 0);
}
