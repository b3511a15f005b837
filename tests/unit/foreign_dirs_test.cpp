// The upper directories an unprivileged view needs beforehand: host directories the
// caller may write into whose owner the user namespace does not map
// (vfs/foreign_dirs.h). "Foreign" here is the test process's own id, the caller a
// made-up one, so the test needs no root and no chown.
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/support/temp_dir.h"
#include "vfs/foreign_dirs.h"
#include "vfs/view.h"

using namespace appv;
using namespace appv::test;

namespace {

// A caller none of the test's files belong to, in no group of theirs.
CallerIds stranger() { return CallerIds{::geteuid() + 4242, ::getegid() + 4242, {}}; }

void make_dir(const std::string& path, mode_t mode) {
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// `root` (0755) and the directories below it, named relative to it, parents first.
void make_tree(const std::string& root, std::initializer_list<std::pair<const char*, mode_t>> dirs) {
  make_dir(root, 0755);
  for (const auto& [name, mode] : dirs) make_dir(root + "/" + name, mode);
}

std::vector<std::string> names(const std::vector<ForeignDir>& dirs) {
  std::vector<std::string> out;
  for (const ForeignDir& d : dirs) out.push_back(d.relative);
  return out;
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a world-writable directory another id owns is found, with its mode") {
  TempDir t;
  const std::string host = t / "var";
  make_tree(host, {{"tmp", 01777}, {"cache", 0755}, {"cache/deep", 0777}});  // cache/deep: below depth 1
  const std::vector<ForeignDir> found = find_foreign_dirs(host, "", 1, stranger());
  REQUIRE(names(found) == std::vector<std::string>{"tmp"});
  CHECK(found[0].mode == 01777);
  CHECK(names(find_foreign_dirs(host, "", 2, stranger())) == std::vector<std::string>{"cache", "cache/deep", "tmp"});
}

TEST_CASE("a directory the caller may write by group brings the directories above it") {
  TempDir t;
  const std::string host = t / "var";
  make_tree(host, {{"www", 0755}, {"www/html", 02775}});
  CallerIds member = stranger();
  member.groups = {::getegid()};
  CHECK(find_foreign_dirs(host, "", 1, member).empty());
  const std::vector<ForeignDir> found = find_foreign_dirs(host, "", 2, member);
  REQUIRE(names(found) == std::vector<std::string>{"www", "www/html"});
  CHECK(found[0].mode == 0755);
  CHECK(found[1].mode == 02775);
  // Without the group, the others' bits decide: not writable.
  CHECK(find_foreign_dirs(host, "", 2, stranger()).empty());
}

TEST_CASE("directories of the mapped ids need nothing; links are not followed") {
  TempDir t;
  const std::string host = t / "var";
  make_tree(host, {{"tmp", 01777}});
  make_dir(t / "elsewhere", 0777);
  REQUIRE(::symlink((t / "elsewhere").c_str(), (host + "/link").c_str()) == 0);
  const CallerIds me{::geteuid(), ::getegid(), {}};
  CHECK(find_foreign_dirs(host, "", 3, me).empty());
  CHECK(names(find_foreign_dirs(host, "", 3, stranger())) == std::vector<std::string>{"tmp"});
  CHECK(find_foreign_dirs(t / "absent", "", 3, stranger()).empty());
}

TEST_CASE("the upper directories are made where the view shows the host's directory, and only there") {
  TempDir t;
  const std::string host = t / "host";
  make_tree(host, {{"tmp", 01777}, {"gone", 01777}, {"replaced", 01777}, {"packaged", 01777}, {"pkgdir", 01777}});
  const std::string upper = t / "upper";
  make_dir(upper, 0755);
  write_file(upper + "/gone", "");                         // the app deleted it (a whiteout's stand-in)
  REQUIRE(::symlink("/", (upper + "/replaced").c_str()) == 0);  // or put a link there
  const std::string package = t / "package";
  make_dir(package, 0755);
  make_dir(package + "/var", 0755);
  write_file(package + "/var/packaged", "");  // the package's file hides the host's directory
  make_dir(package + "/var/pkgdir", 0750);    // the package's directory is what the view shows
  const std::vector<MountOp> ops{MountOp::overlay("/var", {package + "/var", host}, upper, t / "work", "test")};
  make_foreign_dirs_upper(ops, package, stranger());
  CHECK(mode_of(upper + "/tmp") == 01777);
  CHECK(S_ISREG([&] { struct stat st; ::lstat((upper + "/gone").c_str(), &st); return st.st_mode; }()));
  CHECK(S_ISLNK([&] { struct stat st; ::lstat((upper + "/replaced").c_str(), &st); return st.st_mode; }()));
  CHECK_FALSE(exists(upper + "/packaged"));
  CHECK(mode_of(upper + "/pkgdir") == 0750);
  CHECK(list_tree(upper).size() == 4);
}

TEST_CASE("nothing is made below an upper directory the app made opaque") {
  TempDir t;
  const std::string host = t / "host";
  make_tree(host, {{"tmp", 01777}});
  const std::string upper = t / "upper";
  make_dir(upper, 0755);
  REQUIRE(::setxattr(upper.c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
  make_foreign_dirs_upper({MountOp::overlay("/var", {host}, upper, t / "work", "test")}, "", stranger());
  CHECK(list_tree(upper).empty());
}

TEST_CASE("the local hierarchy is looked at inside the /usr overlay, and the static trees are not") {
  TempDir t;
  const std::string host = t / "usr";
  // share: writable, but /usr is static, not looked at
  make_tree(host, {{"local", 02775}, {"local/bin", 02775}, {"share", 0777}});
  CallerIds member = stranger();
  member.groups = {::getegid()};
  CHECK(names(find_foreign_dirs(host, "local", 1, member)) == std::vector<std::string>{"local", "local/bin"});
  const std::string upper = t / "upper";
  make_dir(upper, 0755);
  make_foreign_dirs_upper({MountOp::overlay("/usr", {host}, upper, t / "work", "test")}, "", member);
  CHECK(list_tree(upper) == std::vector<std::string>{"local", "local/bin"});
  CHECK(mode_of(upper + "/local") == 02775);
}

TEST_CASE("a read-only parent gets its mode after its child is made in it") {
  TempDir t;
  const std::string host = t / "var";
  make_tree(host, {{"ro", 0755}, {"ro/data", 01777}});
  REQUIRE(::chmod((host + "/ro").c_str(), 0555) == 0);
  const std::string upper = t / "upper";
  make_dir(upper, 0755);
  make_foreign_dirs_upper({MountOp::overlay("/var", {host}, upper, t / "work", "test")}, "", stranger());
  CHECK(list_tree(upper) == std::vector<std::string>{"ro", "ro/data"});
  CHECK(mode_of(upper + "/ro") == 0555);
  CHECK(mode_of(upper + "/ro/data") == 01777);
  REQUIRE(::chmod((upper + "/ro").c_str(), 0755) == 0);  // for TempDir's removal as a user
}

TEST_CASE("what lies below a directory others may write into is not looked at") {
  TempDir t;
  const std::string host = t / "var";
  // tmp/anyones: made by any user, not a reason to make anything
  make_tree(host, {{"tmp", 01777}, {"tmp/anyones", 0777}});
  CHECK(names(find_foreign_dirs(host, "", 2, stranger())) == std::vector<std::string>{"tmp"});
  CHECK(names(find_foreign_dirs(host, "tmp", 1, stranger())) == std::vector<std::string>{"tmp"});
}
