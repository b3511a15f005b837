#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/package.h"
#include "vfs/payload.h"

using namespace appv;
using namespace appv::test;

namespace {

std::vector<PayloadItem> sample_items(const TempDir& src) {
  write_file(src / "probe", "#!/bin/sh\necho probe\n", 0755);
  write_file(src / "data.txt", "hello\n", 0644);
  return {
      {"root", PayloadItem::Type::Dir, 0755, {}, {}, {}},
      {"root/usr", PayloadItem::Type::Dir, 0755, {}, {}, {}},
      {"root/usr/bin", PayloadItem::Type::Dir, 0755, {}, {}, {}},
      {"root/usr/bin/probe", PayloadItem::Type::File, 0755, src / "probe", {}, {}},
      {"root/usr/bin/probe-link", PayloadItem::Type::Symlink, 0777, {}, "probe", {}},
      {"root/usr/share", PayloadItem::Type::Dir, 0755, {}, {}, {}},
      {"root/usr/share/data.txt", PayloadItem::Type::File, 0644, src / "data.txt", {}, {}},
  };
}

const std::string kManifest = kTestManifest;

// Extracts `package` with extract_to() and expects a BadInput refusal whose message
// contains `reason`, with nothing left behind in the parent directory.
void expect_refused(const std::string& package_path, const std::string& reason) {
  TempDir out;
  const auto before = list_tree(out.path());
  Package p = Package::open(package_path);
  try {
    extract_to(p, out / "x");
    FAIL("extraction succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains(reason));
  }
  CHECK(list_tree(out.path()) == before);
  CHECK_REFUSED(scan_payload(p, [](const PayloadEntry&) {}), Exit::BadInput, "package '");
}

std::vector<RawEntry> with(std::vector<RawEntry> extra) {
  std::vector<RawEntry> e = base_entries();
  e.insert(e.end(), extra.begin(), extra.end());
  return e;
}

}  // namespace

TEST_CASE("a written package lists, verifies and extracts with modes and links") {
  TempDir src, out;
  WriteResult r = write_package(out / "p.appv", kManifest, sample_items(src), {});
  CHECK(r.header.file_count == 9);
  CHECK(r.header.unpacked_bytes == std::string("#!/bin/sh\necho probe\nhello\n").size() + kManifest.size());
  Package p = Package::open(out / "p.appv");
  std::vector<std::string> paths;
  scan_payload(p, [&](const PayloadEntry& e) { paths.push_back(e.path); });
  CHECK(paths.front() == ".appv");
  CHECK(paths[1] == ".appv/manifest.toml");
  CHECK(paths.back() == "root/usr/share/data.txt");

  extract_to(p, out / "x");
  CHECK(read_file(out / "x/root/usr/share/data.txt") == "hello\n");
  CHECK(read_file(out / "x/.appv/manifest.toml") == kManifest);
  struct stat st;
  REQUIRE(::stat((out / "x/root/usr/bin/probe").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  char link[64] = {};
  REQUIRE(::readlink((out / "x/root/usr/bin/probe-link").c_str(), link, sizeof link - 1) > 0);
  CHECK(std::string(link) == "probe");
}

TEST_CASE("writing twice gives identical bytes") {
  TempDir src, out;
  write_package(out / "a.appv", kManifest, sample_items(src), {});
  write_package(out / "b.appv", kManifest, sample_items(src), {});
  CHECK(read_file(out / "a.appv") == read_file(out / "b.appv"));
  WriteOptions later;
  later.mtime = 1700000000;
  write_package(out / "c.appv", kManifest, sample_items(src), later);
  CHECK(read_file(out / "a.appv") != read_file(out / "c.appv"));
}

TEST_CASE("a failed write leaves no package and no temporary file") {
  TempDir src, out;
  auto items = sample_items(src);
  items.push_back({"root/usr/zz", PayloadItem::Type::File, 0644, src / "does-not-exist", {}, {}});
  CHECK_REFUSED(write_package(out / "p.appv", kManifest, items, {}), Exit::NoInput, "does-not-exist");
  CHECK(list_tree(out.path()).empty());
}

TEST_CASE("extract_to refuses a non-empty destination and keeps it intact") {
  TempDir src, out;
  write_package(out / "p.appv", kManifest, sample_items(src), {});
  write_file(out / "dest/keep.txt", "mine");
  Package p = Package::open(out / "p.appv");
  CHECK_REFUSED(extract_to(p, out / "dest"), Exit::Usage, "already exists and is not an empty directory");
  CHECK(read_file(out / "dest/keep.txt") == "mine");
  CHECK(list_tree(out / "dest") == std::vector<std::string>{"keep.txt"});
}

TEST_CASE("a flipped payload byte fails verification and extraction") {
  TempDir src, out;
  write_package(out / "p.appv", kManifest, sample_items(src), {});
  std::string bytes = read_file(out / "p.appv");
  Package sound = Package::open(out / "p.appv");
  const size_t start = sound.trailer().payload_offset;
  const size_t end = start + sound.trailer().payload_size;
  for (size_t pos = start; pos < end; pos += std::max<size_t>(1, (end - start) / 40)) {
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    write_file(out / "bad.appv", bad);
    INFO("flipped payload byte " << pos);
    expect_refused(out / "bad.appv", "");
  }
}

TEST_CASE("hostile archives are refused and write nothing") {
  TempDir dir;
  const std::string pkg = dir / "h.appv";
  SECTION("'..' components") {
    write_package_file(pkg, with({{"root/../../escape", '0', 0644, "x", {}, -1}}));
    expect_refused(pkg, "'..' path component");
  }
  SECTION("absolute paths") {
    write_package_file(pkg, with({{"/tmp/appv-escape", '0', 0644, "x", {}, -1}}));
    expect_refused(pkg, "absolute path");
  }
  SECTION("a hard link that carries data (it would land in the file it names, beyond the declared sizes)") {
    write_package_file(pkg, with({{"root/a", '0', 0644, "x", {}, -1}, {"root/b", '1', 0644, std::string(4096, 'z'), "root/a", -1}}));
    expect_refused(pkg, "is a hard link that carries data");
  }
  SECTION("an entry below a regular file") {
    write_package_file(pkg, with({{"root/a", '0', 0644, "x", {}, -1}, {"root/a/b", '0', 0644, "y", {}, -1}}));
    expect_refused(pkg, "lies below the file 'root/a'");
  }
  SECTION("a link target with a terminal escape") {
    write_package_file(pkg, with({{"root/l", '2', 0777, {}, "x\x1b[31m", -1}}));
    expect_refused(pkg, "target is not valid UTF-8 or holds a control character");
  }
  SECTION("entries outside root/ and .appv/") {
    write_package_file(pkg, with({{"elsewhere", '0', 0644, "x", {}, -1}}));
    expect_refused(pkg, "outside root/");
  }
  SECTION("a symlink pointing outside, then a write through it") {
    write_package_file(pkg, with({{"root/out", '2', 0777, {}, "../../../../../../tmp", -1},
                                  {"root/out/appv-pwned", '0', 0644, "x", {}, -1}}));
    expect_refused(pkg, "points outside the package");
    CHECK_FALSE(exists("/tmp/appv-pwned"));
  }
  SECTION("a symlink inside the package, then a write through it") {
    write_package_file(pkg, with({{"root/usr", '5', 0755, {}, {}, -1},
                                  {"root/lnk", '2', 0777, {}, "usr", -1},
                                  {"root/lnk/file", '0', 0644, "x", {}, -1}}));
    expect_refused(pkg, "lies below the symlink 'root/lnk'");
  }
  SECTION("a chain of links, each lexically inside, that climbs out together") {
    write_package_file(pkg, with({{"root/a", '5', 0755, {}, {}, -1},
                                  {"root/a/up", '2', 0777, {}, "..", -1},
                                  {"root/a/e1", '2', 0777, {}, "up/..", -1}}));
    expect_refused(pkg, "symlink 'root/a/e1' -> 'up/..': its chain of links resolves outside the root");
  }
  SECTION("an icon link made dangerous by links that come after it") {
    write_package_file(pkg, with({{"root/icon.png", '2', 0777, {}, "a/e2/etc/shadow", -1},
                                  {"root/a", '5', 0755, {}, {}, -1},
                                  {"root/a/up", '2', 0777, {}, "..", -1},
                                  {"root/a/e1", '2', 0777, {}, "up/a", -1},
                                  {"root/a/e2", '2', 0777, {}, "e1/up/..", -1}}));
    expect_refused(pkg, "its chain of links resolves outside the root");
  }
  SECTION("a loop of links") {
    write_package_file(pkg, with({{"root/l1", '2', 0777, {}, "l2", -1}, {"root/l2", '2', 0777, {}, "l1", -1}}));
    expect_refused(pkg, "a loop");
  }
  SECTION("an absolute symlink target") {
    write_package_file(pkg, with({{"root/passwd", '2', 0777, {}, "/etc/passwd", -1}}));
    expect_refused(pkg, "absolute target");
  }
  SECTION("a hard link to a host file") {
    write_package_file(pkg, with({{"root/shadow", '1', 0644, {}, "/etc/passwd", -1}}));
    expect_refused(pkg, "hard link");
  }
  SECTION("a hard link climbing out") {
    write_package_file(pkg, with({{"root/h", '1', 0644, {}, "root/../../x", -1}}));
    expect_refused(pkg, "hard link");
  }
  SECTION("a character device") {
    write_package_file(pkg, with({{"root/null", '3', 0666, {}, {}, -1}}));
    expect_refused(pkg, "character device");
  }
  SECTION("a block device") {
    write_package_file(pkg, with({{"root/sda", '4', 0660, {}, {}, -1}}));
    expect_refused(pkg, "block device");
  }
  SECTION("a FIFO") {
    write_package_file(pkg, with({{"root/fifo", '6', 0644, {}, {}, -1}}));
    expect_refused(pkg, "FIFO");
  }
  SECTION("setuid, setgid and sticky bits") {
    for (unsigned bits : {04755u, 02755u, 01777u}) {
      write_package_file(pkg, with({{"root/suid", '0', bits, "x", {}, -1}}));
      expect_refused(pkg, "setuid, setgid or sticky");
    }
  }
  SECTION("a declared size far beyond the real data") {
    write_package_file(pkg, with({{"root/big", '0', 0644, "tiny", {}, int64_t{1} << 34}}));
    expect_refused(pkg, "");
  }
  SECTION("a duplicate entry") {
    write_package_file(pkg, with({{"root/a", '0', 0644, "1", {}, -1}, {"root/a", '0', 0644, "2", {}, -1}}));
    expect_refused(pkg, "appears twice");
  }
  SECTION("no stored manifest") {
    write_package_file(pkg, {{"root/", '5', 0755, {}, {}, -1}});
    expect_refused(pkg, "no .appv/manifest.toml");
  }
  SECTION("a stored manifest that differs from the header's") {
    std::vector<RawEntry> e = base_entries("id = \"other\"\nversion = \"1\"\n[entry.x]\npath = \"/x\"\n");
    write_package_file(pkg, e);
    expect_refused(pkg, "differs from the one in the header");
  }
}

TEST_CASE("payload limits bound a decompression bomb") {
  TempDir dir;
  // 64 MiB of zeros compress to a few kB.
  write_package_file(dir / "bomb.appv", with({{"root/zeros", '0', 0644, std::string(64 << 20, '\0'), {}, -1}}));
  Package p = Package::open(dir / "bomb.appv");
  PayloadLimits limits;
  limits.max_total_bytes = 1 << 20;
  try {
    extract_to(p, dir / "x", limits);
    FAIL("bomb extracted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("beyond the limit"));
  }
  CHECK_FALSE(exists(dir / "x"));
  limits = {};
  limits.max_entry_bytes = 1 << 20;
  CHECK_REFUSED(scan_payload(p, [](const PayloadEntry&) {}, limits), Exit::BadInput, "beyond the limit");
}

TEST_CASE("the safety rules for names and link targets") {
  CHECK(unsafe_path_reason("root/usr/bin/jq").empty());
  CHECK_FALSE(unsafe_path_reason("").empty());
  CHECK_FALSE(unsafe_path_reason("root//x").empty());
  CHECK_FALSE(unsafe_path_reason("root/./x").empty());
  CHECK_FALSE(unsafe_path_reason(std::string("root/") + std::string(300, 'a')).empty());
  CHECK(unsafe_symlink_reason("root/usr/lib64/ld.so", "../../lib/x86_64-linux-gnu/ld.so").empty());
  CHECK(unsafe_symlink_reason("root/lib64", "usr/lib64").empty());
  CHECK_FALSE(unsafe_symlink_reason("root/lib64", "../usr/lib64").empty());
  CHECK_FALSE(unsafe_symlink_reason("root/a/b", "../../../x").empty());
  CHECK_FALSE(unsafe_symlink_reason("root/a", "/etc").empty());
  CHECK_FALSE(unsafe_symlink_reason(".appv/x", "y").empty());
}

TEST_CASE("packing is exact: names are bytes in any locale, hard links stay links") {
  TempDir src, out;
  write_file(src / "café ü.txt", "shared\n", 0644);
  for (const char* name : {"a", "b", "c", "d"}) REQUIRE(::link((src / "café ü.txt").c_str(), (src / name).c_str()) == 0);
  std::vector<PayloadItem> items{{"root", PayloadItem::Type::Dir, 0755, {}, {}, {}},
                                 {"root/data", PayloadItem::Type::Dir, 0755, {}, {}, {}}};
  for (const char* name : {"a", "b", "c", "café ü.txt", "d"}) {
    items.push_back({std::string("root/data/") + name, PayloadItem::Type::File, 0644, src / name, {}, {}});
  }
  // The process's locale stays "C" (as appv's does): libarchive must not convert names.
  WriteResult r = write_package(out / "p.appv", kManifest, items, {});
  CHECK(r.header.unpacked_bytes == std::string("shared\n").size() + kManifest.size());  // one copy of the data
  Package p = Package::open(out / "p.appv");
  std::map<std::string, PayloadEntry> entries;
  scan_payload(p, [&](const PayloadEntry& e) { entries[e.path] = e; });
  REQUIRE(entries.count("root/data/café ü.txt"));
  CHECK(entries["root/data/a"].type == PayloadEntry::Type::File);
  for (const char* name : {"b", "c", "café ü.txt", "d"}) {
    CHECK(entries[std::string("root/data/") + name].type == PayloadEntry::Type::Hardlink);
    CHECK(entries[std::string("root/data/") + name].link == "root/data/a");
  }
  extract_to(p, out / "x");
  struct stat st;
  REQUIRE(::stat((out / "x/root/data/café ü.txt").c_str(), &st) == 0);
  CHECK(st.st_nlink == 5);
  CHECK(read_file(out / "x/root/data/d") == "shared\n");

  // A name that is not UTF-8 (or holds a control character) is refused by name.
  write_file(src / "bad\nname", "x", 0644);
  items.push_back({"root/data/bad\nname", PayloadItem::Type::File, 0644, src / "bad\nname", {}, {}});
  CHECK_REFUSED(write_package(out / "q.appv", kManifest, items, {}), Exit::NoInput, "is not valid UTF-8");
}

TEST_CASE("packing is exact: a sparse file stays sparse in the package and in the cache") {
  TempDir src, out;
  const std::string image = src / "disk.img";
  {
    UniqueFd fd(::open(image.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    REQUIRE(fd);
    REQUIRE(::ftruncate(fd.get(), 256 << 20) == 0);  // 256 MiB, 8 KiB of it written
    const std::string data(8192, 'x');
    REQUIRE(::pwrite(fd.get(), data.data(), data.size(), 100 << 20) == static_cast<ssize_t>(data.size()));
  }
  struct stat st;
  REQUIRE(::stat(image.c_str(), &st) == 0);
  REQUIRE(st.st_blocks * 512 < st.st_size);  // the test's file system keeps holes (tmpfs, ext4, xfs, btrfs do)
  std::vector<PayloadItem> items{{"root", PayloadItem::Type::Dir, 0755, {}, {}, {}},
                                 {"root/disk.img", PayloadItem::Type::File, 0644, image, {}, {}}};
  WriteResult r = write_package(out / "p.appv", kManifest, items, {});
  CHECK(r.file_size < (1 << 20));
  Package p = Package::open(out / "p.appv");
  extract_to(p, out / "x");
  struct stat got;
  REQUIRE(::stat((out / "x/root/disk.img").c_str(), &got) == 0);
  CHECK(got.st_size == 256 << 20);
  CHECK(got.st_blocks * 512 < (1 << 20));  // the holes are holes again
  UniqueFd fd(::open((out / "x/root/disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  char at[2] = {};
  REQUIRE(::pread(fd.get(), at, 2, (100 << 20) + 8191) == 2);
  CHECK(at[0] == 'x');
  CHECK(at[1] == '\0');
}
