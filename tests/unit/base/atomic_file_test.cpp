#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

TEST_CASE("an atomic file replaces its target only on commit, with exactly the mode asked") {
  TempDir dir;
  write_file(dir / "f", "old");
  {
    AtomicFile f(dir / "f");
    write_all(f.fd(), "new", 3, f.temp_path());
    CHECK(read_file(dir / "f") == "old");
    CHECK(list_dir(dir.path()).size() == 2);
    f.commit(0751);
  }
  CHECK(read_file(dir / "f") == "new");
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"f"});
  struct stat st {};
  REQUIRE(::stat((dir / "f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0751);
}

TEST_CASE("an atomic file not committed leaves the target as it was and nothing beside it") {
  TempDir dir;
  write_file(dir / "f", "old");
  {
    AtomicFile f(dir / "f");
    write_all(f.fd(), "new", 3, f.temp_path());
  }
  CHECK(read_file(dir / "f") == "old");
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"f"});
}

TEST_CASE("an atomic file moved from does not remove the moved-to temporary") {
  TempDir dir;
  AtomicFile a(dir / "f");
  AtomicFile b(std::move(a));
  b.commit(0644);
  CHECK(exists(dir / "f"));
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"f"});
}

TEST_CASE("a failed rename removes the temporary and reports errno") {
  TempDir dir;
  make_dirs(dir / "target/inside");  // a non-empty directory cannot be renamed over
  try {
    AtomicFile f(dir / "target");
    f.commit(0644, "cannot replace");
    FAIL("commit succeeded");
  } catch (const Error& e) {
    CHECK(e.op() == "cannot replace");
    CHECK(e.path() == dir / "target");
    CHECK(e.err() == EISDIR);
  }
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"target"});
}

TEST_CASE("write_file_atomic never writes through a symlink") {
  TempDir dir;
  write_file(dir / "victim", "keep");
  REQUIRE(::symlink((dir / "victim").c_str(), (dir / "link").c_str()) == 0);
  write_file_atomic(dir / "link", "new");
  CHECK(read_file(dir / "victim") == "keep");
  CHECK(read_file(dir / "link") == "new");
}

TEST_CASE("an unsynced atomic file is still whole, in place, with its mode, and alone") {
  TempDir dir;
  write_file(dir / "record", "old old old");
  write_file_atomic(dir / "record", "new", 0600, Durability::Unsynced);
  CHECK(read_file(dir / "record") == "new");
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"record"});
  struct stat st {};
  REQUIRE(::stat((dir / "record").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("commit_new creates its target, but never over anything there, a dangling link included") {
  TempDir dir;
  {
    AtomicFile f(dir / "new");
    write_all(f.fd(), "key", 3, f.temp_path());
    f.commit_new(0600);
  }
  CHECK(read_file(dir / "new") == "key");
  struct stat st {};
  REQUIRE(::stat((dir / "new").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  write_file(dir / "taken", "old");
  REQUIRE(::symlink((dir / "elsewhere").c_str(), (dir / "link").c_str()) == 0);
  for (const char* name : {"taken", "link", "new"}) {
    try {
      AtomicFile f(dir / name);
      write_all(f.fd(), "mine", 4, f.temp_path());
      f.commit_new(0600);
      FAIL("commit_new replaced " << name);
    } catch (const Error& e) {
      CHECK(e.code() == Exit::CantCreate);
      CHECK(e.err() == EEXIST);
    }
  }
  CHECK(read_file(dir / "taken") == "old");
  CHECK(read_file(dir / "new") == "key");
  CHECK_FALSE(exists(dir / "elsewhere"));
  CHECK(list_dir(dir.path()) == std::vector<std::string>{"link", "new", "taken"});
}

TEST_CASE("an atomic file in an open directory follows the directory, not its old path") {
  TempDir dir;
  make_dirs(dir / "keys", 0700);
  UniqueFd keys(::open((dir / "keys").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(keys);
  AtomicFile f(keys.get(), "k", dir / "keys/k");
  write_all(f.fd(), "key", 3, f.temp_path());
  // The directory swapped after it was opened: the file still lands in the one opened.
  REQUIRE(::rename((dir / "keys").c_str(), (dir / "moved").c_str()) == 0);
  make_dirs(dir / "keys", 0700);
  f.commit_new(0600, Durability::Unsynced);
  f.sync_dir();
  CHECK(read_file(dir / "moved/k") == "key");
  CHECK(list_dir(dir / "keys").empty());
  CHECK(list_dir(dir / "moved") == std::vector<std::string>{"k"});
}

TEST_CASE("an uncommitted atomic file in an open directory leaves nothing there") {
  TempDir dir;
  UniqueFd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd);
  {
    AtomicFile f(fd.get(), "k", dir / "k");
    CHECK(list_dir(dir.path()).size() == 1);
  }
  CHECK(list_dir(dir.path()).empty());
}
