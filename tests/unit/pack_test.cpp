#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "packager/file_set.h"
#include "packager/pack.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/package.h"
#include "vfs/payload.h"

using namespace appv;
using namespace appv::test;

namespace {

Manifest script_manifest(const TempDir& dir) {
  write_file(dir / "app/bin/tool", "#!/bin/sh\ncat \"$(dirname \"$0\")/../share/data\"\n", 0755);
  write_file(dir / "app/share/data", "payload\n");
  write_file(dir / "app/share/cache/junk", "junk\n");
  Manifest m;
  m.id = "org.example.tool";
  m.name = "tool";
  m.version = "1";
  m.default_entry = "tool";
  m.entries["tool"] = EntryPoint{dir / "app/bin/tool", {}};
  m.include = {dir / "app/share"};
  m.exclude = {dir / "app/share/cache"};
  return m;
}

std::vector<std::string> listing(const std::string& path) {
  std::vector<std::string> out;
  scan_payload(Package::open(path), [&](const PayloadEntry& e) { out.push_back(e.path); });
  return out;
}

}  // namespace

TEST_CASE("pack captures entry points, includes and excludes, and stores the manifest") {
  TempDir dir;
  Manifest m = script_manifest(dir);
  PackOptions o;
  o.output = dir / "tool.appv";
  PackSummary s = pack(m, o);
  CHECK(s.unresolved.empty());
  std::vector<std::string> entries = listing(o.output);
  auto has = [&](const std::string& p) { return std::find(entries.begin(), entries.end(), p) != entries.end(); };
  CHECK(has("root" + dir.path() + "/app/bin/tool"));
  CHECK(has("root" + dir.path() + "/app/share/data"));
  CHECK_FALSE(has("root" + dir.path() + "/app/share/cache/junk"));
  CHECK(has("root/bin"));  // /bin/sh, the script's interpreter, reached through /bin
  Package p = Package::open(o.output);
  CHECK(p.manifest().id == "org.example.tool");
  CHECK(p.manifest().include == m.include);
}

TEST_CASE("packing the same inputs twice gives the same bytes, SOURCE_DATE_EPOCH changes them") {
  TempDir dir;
  Manifest m = script_manifest(dir);
  PackOptions o;
  o.output = dir / "a.appv";
  pack(m, o);
  o.output = dir / "b.appv";
  pack(m, o);
  CHECK(read_file(dir / "a.appv") == read_file(dir / "b.appv"));
  o.output = dir / "c.appv";
  o.source_date_epoch = 1700000000;
  pack(m, o);
  CHECK(read_file(dir / "a.appv") != read_file(dir / "c.appv"));
}

TEST_CASE("an include that matches nothing, or an excluded entry point, fails the pack and writes nothing") {
  TempDir dir;
  Manifest m = script_manifest(dir);
  PackOptions o;
  o.output = dir / "out.appv";
  m.include.push_back(dir / "nothing/here/*");
  CHECK_REFUSED(pack(m, o), Exit::NoInput, "matches nothing on this host");
  CHECK_FALSE(exists(o.output));
  m = script_manifest(dir);
  m.exclude.push_back(dir / "app/bin");
  CHECK_REFUSED(pack(m, o), Exit::Usage, "is excluded by files.exclude");
  CHECK_FALSE(exists(o.output));
}

TEST_CASE("files keep their own times, clamped to SOURCE_DATE_EPOCH") {
  TempDir dir;
  Manifest m = script_manifest(dir);
  struct timespec old_times[2] = {{1500000000, 0}, {1500000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (dir / "app/share/data").c_str(), old_times, 0) == 0);
  PackOptions o;
  o.output = dir / "t.appv";
  o.source_date_epoch = 1600000000;
  pack(m, o);
  extract_to(Package::open(o.output), dir / "x");
  struct stat st;
  REQUIRE(::stat((dir / "x/root" + dir.path() + "/app/share/data").c_str(), &st) == 0);
  CHECK(st.st_mtime == 1500000000);  // older than the epoch: kept
  REQUIRE(::stat((dir / "x/root" + dir.path() + "/app/bin/tool").c_str(), &st) == 0);
  CHECK(st.st_mtime == 1600000000);  // written now: clamped
}

TEST_CASE("SOURCE_DATE_EPOCH is validated") {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  CHECK(source_date_epoch() == 1700000000);
  setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  CHECK_REFUSED(source_date_epoch(), Exit::Usage, "SOURCE_DATE_EPOCH 'yesterday' is not a non-negative integer");
  unsetenv("SOURCE_DATE_EPOCH");
  CHECK_FALSE(source_date_epoch());
}

TEST_CASE("a manifest for programs named on the command line") {
  Manifest m = manifest_for_programs({"/bin/sh"}, "");
  CHECK(m.id == "sh");
  CHECK(m.entries.at("sh").path == "/bin/sh");
  CHECK(m.version == "0");
  CHECK_REFUSED(manifest_for_programs({}, ""), Exit::Usage, "nothing to pack");
  CHECK_REFUSED(manifest_for_programs({"appv-no-such-program"}, ""), Exit::NoInput, "program 'appv-no-such-program' not found on PATH");
}

TEST_CASE("pack --id and --version name a package packed without a manifest") {
  Manifest m = manifest_for_programs({"/bin/sh", "/bin/ls"}, "1.2", "org.example.tools");
  CHECK(m.id == "org.example.tools");
  CHECK(m.name == "org.example.tools");
  CHECK(m.version == "1.2");
  // No entry point is named after the id: the first program's is the default.
  CHECK(m.default_entry == "ls");
  CHECK(m.entries.size() == 2);
  CHECK(manifest_for_programs({"/bin/sh"}, "", "sh").default_entry == "sh");
  CHECK_REFUSED(manifest_for_programs({"/bin/sh"}, "", "bad/id"), Exit::Usage, "--id 'bad/id' is not an app id");
}

TEST_CASE("an include of a link to a directory packs the link and the tree it names") {
  TempDir dir;
  Manifest m = script_manifest(dir);
  write_file(dir / "perl/5.36.0/POSIX.pm", "1;\n");
  write_file(dir / "perl/5.36.0/auto/x.so", "elf\n");
  write_file(dir / "perl/5.36.0/skip/me", "no\n");
  REQUIRE(::symlink("5.36.0", (dir / "perl/5.36").c_str()) == 0);
  REQUIRE(::symlink("..", (dir / "perl/5.36.0/up").c_str()) == 0);  // an ancestor: the link alone
  m.include = {dir / "perl/5.36"};
  m.exclude = {dir / "perl/5.36.0/skip"};
  PackOptions o;
  o.output = dir / "perl.appv";
  pack(m, o);
  std::vector<std::string> entries = listing(o.output);
  auto has = [&](const std::string& p) { return std::find(entries.begin(), entries.end(), "root" + dir.path() + p) != entries.end(); };
  CHECK(has("/perl/5.36"));
  CHECK(has("/perl/5.36.0/POSIX.pm"));
  CHECK(has("/perl/5.36.0/auto/x.so"));
  CHECK(has("/perl/5.36.0/up"));
  CHECK_FALSE(has("/perl/5.36.0/skip/me"));
  CHECK_FALSE(has("/app/share/data"));  // up -> .. did not bring the ancestor's tree
}
