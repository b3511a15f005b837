#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "packager/file_set.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

TEST_CASE("absolute link targets become relative to the link") {
  CHECK(relative_link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") ==
        "../../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  CHECK(relative_link("/usr/bin/awk", "/etc/alternatives/awk") == "../../etc/alternatives/awk");
  CHECK(relative_link("/lib64", "/usr/lib64") == "usr/lib64");
  CHECK(relative_link("/a/b/c", "/a/b/d") == "d");
  CHECK(relative_link("/a/b", "/a") == ".");  // a link to its own directory
}

TEST_CASE("adding a path keeps every symlink met on the way") {
  TempDir dir;
  const std::string d = dir.path();
  write_file(d + "/real/lib/libx.so.1.2", "elf", 0755);
  REQUIRE(::symlink("real/lib", (d + "/lib").c_str()) == 0);
  REQUIRE(::symlink("libx.so.1.2", (d + "/real/lib/libx.so.1").c_str()) == 0);
  REQUIRE(::symlink((d + "/lib/libx.so.1").c_str(), (d + "/abs").c_str()) == 0);

  FileSet files;
  CHECK(files.add(d + "/abs", "test") == d + "/real/lib/libx.so.1.2");
  const auto& e = files.entries();
  REQUIRE(e.count(d + "/abs"));
  CHECK(e.at(d + "/abs").link == "lib/libx.so.1");  // absolute target, stored relative
  CHECK(e.at(d + "/lib").link == "real/lib");
  CHECK(e.at(d + "/real/lib/libx.so.1").link == "libx.so.1.2");
  CHECK(e.at(d + "/real/lib/libx.so.1.2").kind == FileRecord::Kind::File);
  CHECK(e.at(d + "/real/lib/libx.so.1.2").mode == 0755);
  CHECK(files.add(d + "/missing", "test").empty());
  CHECK(files.provides(d + "/abs"));
  CHECK(files.provides(d + "/lib/libx.so.1"));
  CHECK(files.provides(d + "/real"));
  CHECK_FALSE(files.provides(d + "/lib/other.so"));
  CHECK_FALSE(files.provides(d + "/missing"));
}

TEST_CASE("setuid bits are dropped with a warning") {
  TempDir dir;
  write_file(dir / "suid", "x", 04755);
  FileSet files;
  files.add(dir / "suid", "test");
  CHECK(files.entries().at(dir / "suid").mode == 0755);
  REQUIRE(files.warnings().size() == 1);
  CHECK_THAT(files.warnings()[0], Catch::Contains("setuid"));
}

TEST_CASE("payload items list every parent first, below root/") {
  TempDir dir;
  write_file(dir / "a/b/c.txt", "x");
  FileSet files;
  files.add(dir / "a/b/c.txt", "test");
  std::vector<PayloadItem> items = files.payload_items();
  REQUIRE(items.size() >= 3);
  CHECK(items[0].path == "root");
  CHECK(items[0].type == PayloadItem::Type::Dir);
  CHECK(items.back().path == "root" + dir.path() + "/a/b/c.txt");
  for (size_t i = 1; i < items.size(); ++i) CHECK(items[i - 1].path < items[i].path);
  CHECK(files.remove_matching({dir.path() + "/a/**/*.txt"}) == 1);
}

TEST_CASE("extended attributes a package does not keep are reported once per file") {
  TempDir dir;
  write_file(dir / "tagged", "x");
  // user.* attributes: every file system appv's tests run on keeps them (ext4, xfs,
  // btrfs, overlayfs, tmpfs since Linux 6.6).
  REQUIRE(::setxattr((dir / "tagged").c_str(), "user.origin", "build", 5, 0) == 0);
  FileSet files;
  files.add(dir / "tagged", "test");
  files.add(dir / "tagged", "again");
  REQUIRE(files.warnings().size() == 1);
  CHECK_THAT(files.warnings()[0], Catch::Contains("extended attribute user.origin dropped"));
}
