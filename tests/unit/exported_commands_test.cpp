// Commands on PATH: a name another directory on PATH has, or a file appv did not make,
// is refused unless asked for; removal takes only this app's own link.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "base/error.h"
#include "desktop/exported_commands.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using appv::test::TempDir;
using appv::test::thrown_by;

namespace {

void make_program(const std::string& path, unsigned mode = 0755) {
  std::ofstream(path) << "#!/bin/sh\n";
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("found_on_path finds an executable elsewhere on PATH, not in the commands' directory") {
  TempDir dir;
  for (const char* d : {"bin", "usr", "local"}) REQUIRE(::mkdir((dir / d).c_str(), 0755) == 0);
  make_program(dir / "usr/tool");
  make_program(dir / "local/mine");
  make_program(dir / "usr/data", 0644);  // not executable: exec would not find it
  const std::string path = dir / "local" + ":relative:" + dir / "usr" + "::" + dir / "bin";
  CHECK(found_on_path("tool", dir / "bin", path) == dir / "usr/tool");
  CHECK(found_on_path("mine", dir / "local", path) == std::nullopt);  // the commands' own directory
  CHECK(found_on_path("data", dir / "bin", path) == std::nullopt);
  CHECK(found_on_path("usr", dir / "bin", dir.path()) == std::nullopt);  // a directory is no command
  CHECK(dir_on_path(dir / "bin", path));
  CHECK(dir_on_path(dir / "usr/../bin", path));  // however spelled
  CHECK_FALSE(dir_on_path(dir / "elsewhere", path));
}

TEST_CASE("exporting a command refuses to shadow one on PATH or replace a foreign file") {
  TempDir dir;
  for (const char* d : {"bin", "usr"}) REQUIRE(::mkdir((dir / d).c_str(), 0755) == 0);
  make_program(dir / "usr/jq");
  const std::string path = dir / "bin" + ":" + dir / "usr";
  const std::string package = dir / "jq.appv";

  auto shadowed = thrown_by([&] { check_command_export("jq", dir / "bin", package, path, {}); });
  CHECK(shadowed.code == Exit::CantCreate);
  CHECK_THAT(shadowed.message, Catch::Contains(dir / "usr/jq") && Catch::Contains("--shadow"));
  check_command_export("jq", dir / "bin", package, path, {.shadow = true, .force = false});
  check_command_export("jq-sorted", dir / "bin", package, path, {});

  make_program(dir / "bin/tool");  // the user's own
  auto foreign = thrown_by([&] { check_command_export("tool", dir / "bin", package, path, {}); });
  CHECK(foreign.code == Exit::CantCreate);
  CHECK_THAT(foreign.message, Catch::Contains("--force"));
  check_command_export("tool", dir / "bin", package, path, {.shadow = false, .force = true});
  REQUIRE(::symlink((dir / "other.appv").c_str(), (dir / "bin/other").c_str()) == 0);  // another app's
  CHECK(thrown_by([&] { check_command_export("other", dir / "bin", package, path, {}); }).code == Exit::CantCreate);

  make_command_link(dir / "bin/jq-sorted", package);
  check_command_export("jq-sorted", dir / "bin", package, path, {});  // its own link: a reinstall
}

TEST_CASE("a command link is removed only while it is this app's") {
  TempDir dir;
  const std::string link = dir / "tool";
  make_command_link(link, dir / "a.appv");
  char target[256] = {};
  REQUIRE(::readlink(link.c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == dir / "a.appv");
  struct stat st;
  CHECK_FALSE(remove_command_link(link, dir / "b.appv"));
  CHECK(::lstat(link.c_str(), &st) == 0);  // not b's: it stays
  CHECK(remove_command_link(link, dir / "a.appv"));
  CHECK(::lstat(link.c_str(), &st) != 0);
  make_program(link);  // the user's file of that name since
  CHECK_FALSE(remove_command_link(link, dir / "a.appv"));
  CHECK(::lstat(link.c_str(), &st) == 0);
}
