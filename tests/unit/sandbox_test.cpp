#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "tests/unit/support/temp_dir.h"
#include "base/fs_util.h"
#include "base/unique_fd.h"
#include "vfs/copy_up.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_archive.h"

using namespace appv;
using appv::test::TempDir;
using appv::test::write_file;

namespace {

// A host tree under `t`/host and a sandbox under `t`/sb whose upper layer records
// what an app did to it, the way overlayfs writes it.
struct Fixture {
  TempDir t;
  std::string host = t / "host";
  std::string sandbox = t / "sb";
  std::string upper(const std::string& vpath) const { return sandbox + "/upper" + vpath; }

  Fixture() {
    make_dirs(host + "/dir");
    make_dirs(host + "/conf", 0755);
    for (const char* f : {"/keep", "/mod", "/gone", "/dir/x", "/conf/a"}) write_file(host + f, "host\n");
    make_upper_dirs(sandbox, host + "/conf", "");
    write_file(upper(host) + "/new", "new\n");
    write_file(upper(host) + "/mod", "changed\n");
    REQUIRE(::mknod(upper(host + "/gone").c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
    // A whiteout over nothing (appv's own, for a full rule on a file the host lacks).
    REQUIRE(::mknod(upper(host + "/never").c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
    make_upper_dirs(sandbox, host + "/dir", "");
    write_file(upper(host) + "/dir/y", "y\n");
    REQUIRE(::setxattr(upper(host + "/dir").c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
    ::chmod(upper(host + "/conf").c_str(), 0700);
    ::symlink("mod", upper(host + "/link").c_str());
  }
};

std::vector<std::string> lines(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const Change& c : changes) out.push_back(std::string(1, c.kind) + " " + c.path);
  return out;
}

// Writes a tar.zst holding `entries` (name, type, rdev) with the marker first.
void write_archive(const std::string& file, const std::vector<std::tuple<std::string, mode_t, unsigned>>& entries,
                   const std::string& id = "org.a", const std::string& link = {},
                   const std::map<std::string, std::string>& targets = {}) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  REQUIRE(archive_write_open_filename(a, file.c_str()) == ARCHIVE_OK);
  auto add = [&](const std::string& name, mode_t type, unsigned rdev, const std::string& data) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type & AE_IFMT);
    archive_entry_set_perm(e, type & 07777 ? type & 07777 : 0644);
    archive_entry_set_rdev(e, rdev);
    if ((type & AE_IFMT) == AE_IFLNK) archive_entry_set_symlink(e, targets.count(name) ? targets.at(name).c_str() : "/etc/passwd");
    if (!link.empty() && name == link) archive_entry_set_hardlink(e, "upper/f");
    archive_entry_set_size(e, (type & AE_IFMT) == AE_IFREG ? static_cast<la_int64_t>(data.size()) : 0);
    archive_write_header(a, e);
    if (!data.empty()) archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  };
  add(".appv-sandbox", AE_IFREG, 0, "id " + id + "\n");
  for (const auto& [name, type, rdev] : entries) add(name, type, rdev, (type & AE_IFMT) == AE_IFREG ? "data\n" : "");
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace

TEST_CASE("sandbox diff names what the app added, changed, deleted and replaced") {
  Fixture f;
  // Not /never: its whiteout hides nothing.
  std::vector<std::string> got = lines(sandbox_diff(f.sandbox, LowerLayers{}));
  const std::string h = f.host;
  CHECK(got == std::vector<std::string>{"M " + h + "/conf/", "R " + h + "/dir/", "A " + h + "/dir/y", "D " + h + "/gone",
                                        "A " + h + "/link", "M " + h + "/mod", "A " + h + "/new"});
  // Below a `full` prefix the host was not visible: nothing there is a change of it.
  LowerLayers full{{}, {h}};
  std::vector<std::string> hidden = lines(sandbox_diff(f.sandbox, full));
  CHECK(std::count(hidden.begin(), hidden.end(), "A " + h + "/mod") == 1);
}

TEST_CASE("sandbox diff lists the upper directory without following a link planted there") {
  Fixture f;
  // Another directory of the user's, which the app must not get listed as its own.
  const std::string secret = f.t / "secret";
  make_dirs(secret + "/inner");
  write_file(secret + "/inner/private-name", "x\n");
  REQUIRE(::symlink((secret + "/inner").c_str(), f.upper(f.host + "/planted").c_str()) == 0);
  std::vector<std::string> got = lines(sandbox_diff(f.sandbox, LowerLayers{}));
  CHECK(std::count(got.begin(), got.end(), "A " + f.host + "/planted") == 1);
  for (const std::string& line : got) CHECK(line.find("private-name") == std::string::npos);
  // The upper directory itself swapped for a link: refused, nothing of the target listed.
  REQUIRE(::rename((f.sandbox + "/upper").c_str(), (f.sandbox + "/upper.real").c_str()) == 0);
  REQUIRE(::symlink(secret.c_str(), (f.sandbox + "/upper").c_str()) == 0);
  try {
    got = lines(sandbox_diff(f.sandbox, LowerLayers{}));
    FAIL("a diff through a linked upper directory listed: " << got.size() << " entries");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("cannot open") != std::string::npos);
  }
}

TEST_CASE("sandbox diff walks a tree deeper than the descriptors a process may hold") {
  Fixture f;
  // 1200 nested directories below the upper layer (2400 bytes of path), walked with a
  // limit of 64 open descriptors.
  constexpr int kDepth = 1200;
  UniqueFd dir(::open(f.upper(f.host).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(dir);
  for (int i = 0; i < kDepth; ++i) {
    REQUIRE(::mkdirat(dir.get(), "d", 0755) == 0);
    dir = UniqueFd(::openat(dir.get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir);
  }
  dir.reset();
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  rlimit low = old;
  low.rlim_cur = 64;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<Change> changes;
  try {
    changes = sandbox_diff(f.sandbox, LowerLayers{});
  } catch (...) {
    ::setrlimit(RLIMIT_NOFILE, &old);
    throw;
  }
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
  std::string deepest = f.host;
  for (int i = 0; i < kDepth; ++i) deepest += "/d";
  const auto added = std::count_if(changes.begin(), changes.end(), [&](const Change& c) {
    return c.kind == 'A' && c.path.rfind(f.host + "/d/", 0) == 0;
  });
  CHECK(added == kDepth);
  CHECK(std::count_if(changes.begin(), changes.end(), [&](const Change& c) { return c.path == deepest + "/"; }) == 1);
}

TEST_CASE("sandbox state is written only when it changes") {
  TempDir t;
  SandboxState s{"org.a", "1.0", "abc", {"/usr"}};
  write_state(t.path(), s);
  REQUIRE(read_state(t.path()) == s);
  struct stat before;
  ::stat((t / "state").c_str(), &before);
  write_state(t.path(), s);
  struct stat after;
  ::stat((t / "state").c_str(), &after);
  CHECK(before.st_ino == after.st_ino);
}

TEST_CASE("sandbox reset empties it, or keeps only the configuration") {
  Fixture f;
  make_dirs(f.upper(f.host + "/cfg/app"));
  write_file(f.upper(f.host + "/cfg/app/settings"), "x\n");
  make_dirs(f.sandbox + "/work/w");
  reset_sandbox(f.sandbox, f.host + "/cfg");
  CHECK(appv::test::list_tree(f.sandbox) == appv::test::list_tree(f.sandbox));  // walkable
  CHECK(appv::test::exists(f.upper(f.host + "/cfg/app/settings")));
  CHECK_FALSE(appv::test::exists(f.upper(f.host + "/new")));
  CHECK_FALSE(appv::test::exists(f.sandbox + "/work"));
  reset_sandbox(f.sandbox);
  CHECK_FALSE(appv::test::exists(f.sandbox + "/upper"));
}

TEST_CASE("sandbox export and import round-trip whiteouts, opaque directories and links") {
  Fixture f;
  write_state(f.sandbox, SandboxState{"org.a", "1", "d", {}});
  const std::string file = f.t / "a.tar.zst";
  ArchiveCount out = export_sandbox(f.sandbox, "org.a", file);
  CHECK(out.entries > 5);
  const std::string staging = f.t / "imported";
  import_sandbox(file, "org.a", staging);
  CHECK(lines(sandbox_diff(staging, LowerLayers{})) == lines(sandbox_diff(f.sandbox, LowerLayers{})));
  CHECK(is_whiteout(staging + "/upper" + f.host + "/gone"));
  CHECK(is_opaque_dir(staging + "/upper" + f.host + "/dir"));
  CHECK(read_state(staging)->digest == "d");
}

TEST_CASE("sandbox import refuses hostile archives and leaves nothing behind") {
  TempDir t;
  const std::string file = t / "x.tar.zst";
  const std::string staging = t / "staging";
  auto refused = [&](const std::string& needle) {
    try {
      import_sandbox(file, "org.a", staging);
      FAIL("import accepted " + needle);
    } catch (const Error& e) {
      CHECK(e.code() == Exit::BadInput);
      CHECK_THAT(e.what(), Catch::Contains(needle));
    }
    CHECK_FALSE(appv::test::exists(staging));
  };
  write_archive(file, {{"upper/../../escape", AE_IFREG, 0}});
  refused("'..'");
  write_archive(file, {{"/etc/cron.d/x", AE_IFREG, 0}});
  refused("absolute");
  write_archive(file, {{"upper/dev/sda", AE_IFCHR, makedev(8, 0)}});
  refused("device node");
  write_archive(file, {{"upper/fifo", AE_IFIFO, 0}});
  refused("neither file");
  write_archive(file, {{"notes.txt", AE_IFREG, 0}});
  refused("not part of a sandbox");
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/f", AE_IFREG, 0}, {"upper/g", AE_IFREG, 0}}, "org.a", "upper/g");
  refused("hard links");
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/d", AE_IFDIR, 0}, {"upper/d/l", AE_IFLNK, 0}, {"upper/d/l/x", AE_IFREG, 0}});
  refused("entry 'upper/d/l/x' refused: it lies below the link 'upper/d/l'");
  write_archive(file, {{"upper", AE_IFDIR, 0}}, "org.other");
  refused("holds the sandbox of 'org.other'");
  write_file(file, "not an archive at all");
  refused("not a sandbox export");
  // Links where the sandbox needs directories: upper itself, and upper/<top>, which
  // appv mounts as the upper directory of the view's /opt, /home, ...
  write_archive(file, {{"upper", AE_IFLNK, 0}});
  refused("must be a directory");
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/opt", AE_IFLNK, 0}}, "org.a", {}, {{"upper/opt", "../../../../.ssh"}});
  refused("a link where the sandbox needs a directory");
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/home", AE_IFLNK, 0}}, "org.a", {}, {{"upper/home", "/"}});
  refused("a link where the sandbox needs a directory");
  write_archive(file, {{"work", AE_IFLNK, 0}});
  refused("not part of a sandbox");
  // Links deeper down that climb out of the sandbox, alone or as a chain.
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/home", AE_IFDIR, 0}, {"upper/home/ssh", AE_IFLNK, 0}}, "org.a", {},
                {{"upper/home/ssh", "../../../../.ssh"}});
  refused("'upper/home/ssh' -> '../../../../.ssh' refused: its chain of links resolves outside the root");
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/a", AE_IFDIR, 0}, {"upper/a/x", AE_IFLNK, 0}, {"upper/a/up", AE_IFLNK, 0},
                       {"upper/a/e1", AE_IFLNK, 0}},
                "org.a", {}, {{"upper/a/x", "e1/.ssh"}, {"upper/a/up", ".."}, {"upper/a/e1", "up/.."}});
  refused("'upper/a/e1' -> 'up/..' refused");
  // An absolute link is a path of the app's view: kept as it is.
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/etc", AE_IFDIR, 0}, {"upper/etc/l", AE_IFLNK, 0}});
  import_sandbox(file, "org.a", staging);
  remove_tree(staging);
  // setuid bits are dropped, not refused.
  write_archive(file, {{"upper", AE_IFDIR, 0}, {"upper/tool", AE_IFREG | 04755, 0}});
  import_sandbox(file, "org.a", staging);
  struct stat st;
  REQUIRE(::stat((staging + "/upper/tool").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
}

TEST_CASE("sandbox import stops a compression bomb early and leaves nothing behind") {
  TempDir t;
  const std::string file = t / "bomb.tar.zst";
  const std::string staging = t / "staging";
  // 256 MiB of zeros compress to a few kB; the import must stop near 16 MiB.
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  REQUIRE(archive_write_open_filename(a, file.c_str()) == ARCHIVE_OK);
  auto add = [&](const char* name, mode_t type, uint64_t size) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_write_header(a, e);
    archive_entry_free(e);
  };
  add(".appv-sandbox", AE_IFREG, 9);
  archive_write_data(a, "id org.a\n", 9);
  add("upper", AE_IFDIR, 0);
  add("upper/zeros", AE_IFREG, 256u << 20);
  std::string zeros(1 << 20, '\0');
  for (int i = 0; i < 256; ++i) archive_write_data(a, zeros.data(), zeros.size());
  archive_write_close(a);
  archive_write_free(a);
  struct stat st;
  REQUIRE(::stat(file.c_str(), &st) == 0);
  REQUIRE(st.st_size < (1 << 20));
  try {
    import_sandbox(file, "org.a", staging);
    FAIL("bomb imported");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("expands more than 1000 times its size"));
  }
  CHECK_FALSE(appv::test::exists(staging));
}

TEST_CASE("upper directories are never created or used through a link the app or an import planted") {
  TempDir t;
  const std::string sandbox = t / "sb";
  make_dirs(sandbox + "/upper");
  make_dirs(t / "ssh");
  REQUIRE(::symlink("../../ssh", (sandbox + "/upper/opt").c_str()) == 0);
  try {
    make_upper_dirs(sandbox, "/opt/app", "");
    FAIL("a link was used as an upper directory");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("/upper/opt' is a symbolic link where appv needs a directory"));
  }
  CHECK(appv::test::list_tree(t / "ssh").empty());
  REQUIRE(::unlink((sandbox + "/upper/opt").c_str()) == 0);
  REQUIRE(::rmdir((sandbox + "/upper").c_str()) == 0);
  REQUIRE(::symlink("../ssh", (sandbox + "/upper").c_str()) == 0);
  CHECK_THROWS_AS(make_upper_dirs(sandbox, "/opt", ""), Error);
  CHECK(appv::test::list_tree(t / "ssh").empty());
}

TEST_CASE("a plan's whiteouts and copies are made only where the sandbox has nothing, never through a link") {
  TempDir t;
  const std::string sandbox = t / "sb";
  const std::string upper = sandbox + "/upper";
  make_dirs(upper + "/home/u");
  write_file(t / "host-notes", "host\n");
  write_file(upper + "/home/u/.own", "the app's\n");
  make_plan_whiteouts(sandbox, {{upper + "/home/u/.hist", "full"}, {upper + "/home/u/.own", "full"}}, "");
  struct stat st;
  REQUIRE(::lstat((upper + "/home/u/.hist").c_str(), &st) == 0);
  CHECK(is_whiteout(st));
  CHECK(appv::test::read_file(upper + "/home/u/.own") == "the app's\n");
  copy_up_files(sandbox, {{"", upper + "/home/u/.empty", "full"}, {t / "host-notes", upper + "/home/u/.notes", "link"},
                          {"", upper + "/home/u/.own", "full"}});
  REQUIRE(::lstat((upper + "/home/u/.empty").c_str(), &st) == 0);
  CHECK((S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 07777) == 0600));
  CHECK(appv::test::read_file(upper + "/home/u/.notes") == "host\n");
  CHECK(appv::test::read_file(upper + "/home/u/.own") == "the app's\n");

  // The app replaced a directory on the way with a link to a host directory.
  make_dirs(t / "elsewhere");
  REQUIRE(::symlink((t / "elsewhere").c_str(), (upper + "/etc").c_str()) == 0);
  CHECK_THROWS_AS(make_plan_whiteouts(sandbox, {{upper + "/etc/hosts", "full"}}, ""), Error);
  for (const CopyUp& c : {CopyUp{"", upper + "/etc/hosts", "full"}, CopyUp{t / "host-notes", upper + "/etc/notes", "link"}}) {
    try {
      copy_up_files(sandbox, {c});
      FAIL("a copy went through a link");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::BadInput);
      CHECK_THAT(e.what(), Catch::Contains("without following a link"));
    }
  }
  CHECK(appv::test::list_tree(t / "elsewhere").empty());
}

TEST_CASE("export and reset never follow a link the app planted in its sandbox") {
  TempDir t;
  const std::string sandbox = t / "sb";
  const std::string outside = t / "outside";
  make_dirs(sandbox + "/upper/home/u");
  make_dirs(outside + "/sub");
  write_file(outside + "/secret", "SECRET-CONTENT\n");
  write_file(outside + "/sub/inner", "SECRET-INNER\n");
  REQUIRE(::symlink(outside.c_str(), (sandbox + "/upper/home/u/etc").c_str()) == 0);
  REQUIRE(::symlink("../../../../outside/secret", (sandbox + "/upper/home/u/rel").c_str()) == 0);
  const auto before = appv::test::list_tree(outside);

  const std::string file = t / "x.tar";
  export_sandbox(sandbox, "org.a", file);
  // Read back: the links are links, and no byte of the outside tree is in the archive.
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  REQUIRE(archive_read_open_filename(a, file.c_str(), 1 << 16) == ARCHIVE_OK);
  archive_entry* e;
  std::map<std::string, std::string> links;
  std::string data;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) == AE_IFLNK) links[archive_entry_pathname(e)] = archive_entry_symlink(e);
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  }
  archive_read_free(a);
  CHECK(links["upper/home/u/etc"] == outside);
  CHECK(links["upper/home/u/rel"] == "../../../../outside/secret");
  CHECK(data.find("SECRET") == std::string::npos);

  reset_sandbox(sandbox, "/home/u/etc");
  reset_sandbox(sandbox);
  CHECK(appv::test::list_tree(outside) == before);
  CHECK(appv::test::read_file(outside + "/secret") == "SECRET-CONTENT\n");
}
