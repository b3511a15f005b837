// The namespace-free backend's path translator over real trees: a "host" tree, a
// package tree and a sandbox upper directory in a temporary directory, with the view
// table built from a mount plan as the planner writes it.
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "base/fs_util.h"
#include "tests/unit/support/temp_dir.h"
#include "manifests/paths.h"
#include "vfs/path_translator.h"
#include "vfs/sandbox.h"
#include "vfs/tree_index.h"

using namespace appv;
using appv::test::read_file;
using appv::test::TempDir;
using appv::test::write_file;

namespace {

// View paths /usr (writecopy: upper, package, host), /opt (full: upper, package),
// /data (merged: the host's), /etc/hostname (host state, read-only), /lib64 -> usr/lib64
// (a root link), /hidden (appv's sandboxes).
struct Fixture {
  TempDir t;
  std::string host = t / "host";
  std::string pkg = t / "pkg";
  std::string upper = t / "sb/upper";
  std::string empty = t / "empty";
  std::string empty_file = t / "empty-file";
  std::optional<ViewTable> table;  // the view's, for a second translator (a later launch)
  PathTranslator tr{build()};

  static void link(const std::string& text, const std::string& at) {
    if (::symlink(text.c_str(), at.c_str()) != 0) throw std::runtime_error("cannot create link " + at);
  }

  PathTranslator build() {
    for (const char* d : {"host/usr/bin", "host/usr/lib", "host/usr/share/doc", "host/data", "host/etc", "pkg/usr/bin",
                          "pkg/usr/lib/app", "pkg/usr/lib64", "pkg/opt/app", "sb/upper", "empty"}) {
      make_dirs(t / d);
    }
    write_file(t / "host/usr/bin/tool", "host tool\n", 0755);
    write_file(t / "host/usr/bin/app", "host's app\n", 0755);
    write_file(t / "host/usr/share/doc/readme", "host doc\n");
    write_file(t / "host/data/notes", "host notes\n");
    write_file(t / "host/data/core_pattern", "a kernel file bound here\n");
    write_file(t / "empty-file", "", 0444);
    write_file(t / "host/etc/hostname", "hostname\n");
    write_file(t / "pkg/usr/bin/app", "package app\n", 0750);
    write_file(t / "pkg/usr/lib/app/data.txt", "package data\n");
    write_file(t / "pkg/usr/lib64/ld.so", "loader\n", 0755);
    write_file(t / "pkg/opt/app/config", "package config\n");
    // An absolute link inside the package: it must resolve in the view.
    link("/usr/lib/app/data.txt", t / "pkg/usr/bin/data-link");
    link("../lib/app", t / "pkg/usr/bin/rel-dir");
    link("/opt/app/config", t / "host/data/to-opt");
    Plan plan;
    plan.ops.push_back(MountOp::symlink("/lib64", "usr/lib64", "root link"));
    plan.ops.push_back(MountOp::overlay("/usr", {pkg + "/usr", host + "/usr"}, upper + "/usr", t / "sb/work/usr", "writecopy"));
    plan.ops.push_back(MountOp::overlay("/opt", {pkg + "/opt"}, upper + "/opt", t / "sb/work/opt", "full"));
    plan.ops.push_back(MountOp::bind("/data", host + "/data", "merged"));
    plan.ops.push_back(MountOp::dir("/etc", "host state parent"));
    plan.ops.push_back(MountOp::host_state("/etc/hostname", host + "/etc/hostname", "host state"));
    plan.ops.push_back(MountOp::hide("/data/hidden", "appv's private directory"));
    plan.ops.push_back(MountOp::hide_file("/data/core_pattern", "a kernel file system's mount: hidden"));
    plan.ops.push_back(MountOp::proc("/proc", "the kernel's"));
    plan.ops.push_back(MountOp::symlink("/data/fd", "/proc/self/fd", "like /dev/fd"));
    make_dirs(t / "listings");
    table = ViewTable::from_plan(plan);
    return with_index(PathTranslator(*table, {empty, empty_file}, false, t / "listings"));
  }
  PathTranslator later_launch() { return with_index(PathTranslator(*table, {empty, empty_file}, false, t / "listings")); }
  // A package is never changed once extracted; a test that changes it makes the
  // next translator index it again.
  void package_changed() const { ::unlink((t / "pkg.index").c_str()); }
  // With APPV_TEST_TREE_INDEX=1 (the suite's second run, tests/CMakeLists.txt) the
  // package's layer is looked up in its index (vfs/tree_index.h), as a launch does.
  PathTranslator with_index(PathTranslator translator) const {
    const char* on = std::getenv("APPV_TEST_TREE_INDEX");
    if (!on || std::string(on) != "1") return translator;
    const std::string file = t / "pkg.index";
    if (!test::exists(file)) REQUIRE(write_tree_index(pkg, file));
    std::optional<TreeIndex> index = TreeIndex::open(file);
    REQUIRE(index);
    translator.use_tree_index(pkg, std::make_shared<const TreeIndex>(std::move(*index)));
    return translator;
  }
};

}  // namespace

TEST_CASE("the package's file is shown over the host's, the host's where the package has none") {
  Fixture f;
  Translation t = f.tr.translate("/usr/bin/app", Intent::Lookup);
  CHECK(t.error == 0);
  CHECK(t.real == f.pkg + "/usr/bin/app");
  CHECK(f.tr.translate("/usr/bin/tool", Intent::Lookup).real == f.host + "/usr/bin/tool");
  CHECK(f.tr.translate("/usr/bin/none", Intent::Lookup).error == ENOENT);
  CHECK(f.tr.translate("/usr/bin/app/x", Intent::Lookup).error == ENOTDIR);
  // full: the host's files are not there.
  CHECK(f.tr.translate("/opt/app/config", Intent::Lookup).real == f.pkg + "/opt/app/config");
  CHECK(f.tr.translate("/data/notes", Intent::Lookup).real == f.host + "/data/notes");
}

TEST_CASE("links resolve inside the view - absolute ones in the package, root links, '..' across layers") {
  Fixture f;
  Translation t = f.tr.translate("/usr/bin/data-link", Intent::Lookup);
  CHECK(t.error == 0);
  CHECK(t.real == f.pkg + "/usr/lib/app/data.txt");
  CHECK(t.view_path == "/usr/lib/app/data.txt");
  // Not followed when asked not to (lstat, readlink).
  t = f.tr.translate("/usr/bin/data-link", Intent::Lookup, false);
  CHECK(t.kind == NodeKind::Symlink);
  CHECK(t.real == f.pkg + "/usr/bin/data-link");
  CHECK(f.tr.translate("/usr/bin/rel-dir/data.txt", Intent::Lookup).real == f.pkg + "/usr/lib/app/data.txt");
  CHECK(f.tr.translate("/lib64/ld.so", Intent::Lookup).real == f.pkg + "/usr/lib64/ld.so");
  // From the package's /usr/lib/app up to the host's /usr/share.
  CHECK(f.tr.translate("/usr/lib/app/../../share/doc/readme", Intent::Lookup).real == f.host + "/usr/share/doc/readme");
  CHECK(f.tr.translate("/usr/../opt/app/./config", Intent::Lookup).real == f.pkg + "/opt/app/config");
  // A host link in a merged tree leads into the view too, not onto the host.
  CHECK(f.tr.translate("/data/to-opt", Intent::Lookup).real == f.pkg + "/opt/app/config");
  CHECK(f.tr.translate("/..", Intent::Lookup).view_path == "/");
}

TEST_CASE("a link loop fails with ELOOP") {
  Fixture f;
  REQUIRE(::symlink("/data/b", (f.host + "/data/a").c_str()) == 0);
  REQUIRE(::symlink("/data/a", (f.host + "/data/b").c_str()) == 0);
  CHECK(f.tr.translate("/data/a", Intent::Lookup).error == ELOOP);
}

TEST_CASE("a write copies the lower file up with its data, mode and times, the layers below are untouched") {
  Fixture f;
  struct stat before;
  REQUIRE(::stat((f.pkg + "/usr/bin/app").c_str(), &before) == 0);
  Translation t = f.tr.translate("/usr/bin/app", Intent::Write);
  REQUIRE(t.error == 0);
  CHECK(t.real == f.upper + "/usr/bin/app");
  CHECK(read_file(t.real) == "package app\n");
  struct stat after;
  REQUIRE(::stat(t.real.c_str(), &after) == 0);
  CHECK((after.st_mode & 07777) == 0750);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  // The host's file, written through the view, is copied too; the host's stays.
  t = f.tr.translate("/usr/share/doc/readme", Intent::Write);
  REQUIRE(t.error == 0);
  write_file(t.real, "changed\n");
  CHECK(read_file(f.host + "/usr/share/doc/readme") == "host doc\n");
  CHECK(f.tr.translate("/usr/share/doc/readme", Intent::Lookup).real == f.upper + "/usr/share/doc/readme");
  // A merged tree is written in place.
  CHECK(f.tr.translate("/data/notes", Intent::Write).real == f.host + "/data/notes");
}

TEST_CASE("creating lands in upper with its parents, read-only places refuse with EROFS") {
  Fixture f;
  Translation t = f.tr.translate("/usr/lib/app/new.txt", Intent::Create);
  REQUIRE(t.error == 0);
  CHECK(t.real == f.upper + "/usr/lib/app/new.txt");
  CHECK(appv::test::exists(f.upper + "/usr/lib/app"));
  write_file(t.real, "new\n");
  CHECK(f.tr.translate("/usr/lib/app/new.txt", Intent::Lookup).real == t.real);
  CHECK(f.tr.translate("/etc/hostname", Intent::Write).error == EROFS);
  CHECK(f.tr.translate("/etc/other", Intent::Create).error == EROFS);
  CHECK(f.tr.translate("/data/hidden/x", Intent::Create).error == EROFS);
  CHECK(f.tr.translate("/data/hidden", Intent::Lookup).real == f.empty + "");
}

TEST_CASE("a hidden file is the empty stand-in: read-only, not deleted, nothing below it") {
  Fixture f;
  const Translation t = f.tr.translate("/data/core_pattern", Intent::Lookup);
  CHECK(t.error == 0);
  CHECK(t.kind == NodeKind::File);
  CHECK(t.real == f.empty_file);
  CHECK(f.tr.translate("/data/core_pattern", Intent::Write).error == EROFS);
  CHECK(f.tr.translate("/data/core_pattern", Intent::Create).error == EROFS);
  CHECK(f.tr.translate("/data/core_pattern", Intent::Delete, false).error == EBUSY);
  CHECK(f.tr.translate("/data/core_pattern/x", Intent::Lookup).error == ENOTDIR);
  // The directory around it is the host's as before.
  CHECK(f.tr.translate("/data/notes", Intent::Write).real == f.host + "/data/notes");
  CHECK(f.tr.translate("/usr/none/x", Intent::Create).error == ENOENT);
}

TEST_CASE("deleting a lower entry leaves a whiteout, deleting an upper-only one removes it") {
  Fixture f;
  Translation t = f.tr.translate("/usr/bin/tool", Intent::Delete, false);
  REQUIRE(t.error == 0);
  CHECK(t.done);
  CHECK(is_whiteout(f.upper + "/usr/bin/tool"));
  CHECK(read_file(f.host + "/usr/bin/tool") == "host tool\n");
  CHECK(f.tr.translate("/usr/bin/tool", Intent::Lookup).error == ENOENT);
  // Created again: the whiteout gives way.
  t = f.tr.translate("/usr/bin/tool", Intent::Create);
  REQUIRE(t.error == 0);
  CHECK_FALSE(appv::test::exists(t.real));
  write_file(t.real, "mine\n");
  // An upper-only file is the kernel's to remove.
  t = f.tr.translate("/usr/lib/app/new.txt", Intent::Create);
  write_file(t.real, "x");
  t = f.tr.translate("/usr/lib/app/new.txt", Intent::Delete, false);
  CHECK(t.error == 0);
  CHECK_FALSE(t.done);
  CHECK(t.real == f.upper + "/usr/lib/app/new.txt");
}

TEST_CASE("a deleted directory made again is opaque - the old entries stay hidden") {
  Fixture f;
  CHECK(f.tr.translate("/usr/lib/app", Intent::Delete, false).error == ENOTEMPTY);
  REQUIRE(f.tr.translate("/usr/lib/app/data.txt", Intent::Delete, false).done);
  Translation t = f.tr.translate("/usr/lib/app", Intent::Delete, false);
  REQUIRE(t.error == 0);
  CHECK(t.done);
  CHECK(is_whiteout(f.upper + "/usr/lib/app"));
  t = f.tr.translate("/usr/lib/app", Intent::MakeDir, true, 0700);
  REQUIRE(t.error == 0);
  CHECK(t.done);
  CHECK(is_opaque_dir(f.upper + "/usr/lib/app"));
  CHECK(f.tr.translate("/usr/lib/app/data.txt", Intent::Lookup).error == ENOENT);
  CHECK(f.tr.list("/usr/lib/app").entries.empty());
}

TEST_CASE("a directory's listing merges its layers, less whiteouts, with the places in it") {
  Fixture f;
  REQUIRE(f.tr.translate("/usr/bin/tool", Intent::Delete, false).done);
  write_file(f.tr.translate("/usr/bin/mine", Intent::Create).real, "x");
  PathTranslator::Listing l = f.tr.list("/usr/bin");
  REQUIRE(l.error == 0);
  std::vector<std::string> names;
  for (const auto& [name, kind] : l.entries) names.push_back(name);
  CHECK(names == std::vector<std::string>{"app", "data-link", "mine", "rel-dir"});
  l = f.tr.list("/");
  names.clear();
  for (const auto& [name, kind] : l.entries) names.push_back(name);
  CHECK(names == std::vector<std::string>{"data", "etc", "lib64", "opt", "proc", "usr"});
  CHECK(f.tr.list("/usr/bin/app").error == ENOTDIR);
}

TEST_CASE("a layer's host path maps back to its view path") {
  Fixture f;
  CHECK(f.tr.view_path_of(f.pkg + "/usr/lib/app") == "/usr/lib/app");
  CHECK(f.tr.view_path_of(f.upper + "/usr/bin") == "/usr/bin");
  CHECK(f.tr.view_path_of(f.host + "/data/notes") == "/data/notes");
  CHECK(f.tr.view_path_of("/nowhere/else").empty());
}

TEST_CASE("below /proc the kernel resolves the path in the calling process") {
  Fixture f;
  // "self" must stay "self": the translator's process is not the app.
  Translation t = f.tr.translate("/proc/self/fd/0", Intent::Lookup);
  CHECK(t.error == 0);
  CHECK(t.real == "/proc/self/fd/0");
  CHECK(f.tr.translate("/data/fd/1", Intent::Lookup).real == "/proc/self/fd/1");
  CHECK(f.tr.translate("/proc/1/../self/maps", Intent::Lookup).real == "/proc/1/../self/maps");
}

TEST_CASE("a merged directory is looked up as a stand-in the kernel lists as the view shows it") {
  Fixture f;
  // The package's own directory alone: the kernel lists it as it is.
  CHECK(f.tr.translate("/usr/lib/app", Intent::Lookup).real == f.pkg + "/usr/lib/app");
  // Package over host: the host's app and tool under the package's app, data-link
  // and rel-dir. No layer lists that: a stand-in does.
  Translation t = f.tr.translate("/usr/bin", Intent::Lookup);
  REQUIRE(t.error == 0);
  CHECK(path_has_prefix(t.real, f.t / "listings"));
  CHECK(appv::test::list_tree(t.real) == std::vector<std::string>{"app", "data-link", "rel-dir", "tool"});
  // With the host's tool deleted, the package's own directory lists the view.
  REQUIRE(f.tr.translate("/usr/bin/tool", Intent::Delete, false).done);
  CHECK(f.tr.translate("/usr/bin", Intent::Lookup).real == f.pkg + "/usr/bin");
  write_file(f.tr.translate("/usr/bin/mine", Intent::Create).real, "x");
  t = f.tr.translate("/usr/bin", Intent::Lookup);
  REQUIRE(t.error == 0);
  CHECK(path_has_prefix(t.real, f.t / "listings"));
  CHECK(appv::test::list_tree(t.real) == std::vector<std::string>{"app", "data-link", "mine", "rel-dir"});
  struct stat st;
  REQUIRE(::lstat((t.real + "/rel-dir").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  // The same stand-in until the view changes, and names below it map back to the view.
  CHECK(f.tr.translate("/usr/bin", Intent::Lookup).real == t.real);
  CHECK(f.tr.view_path_of(t.real + "/app") == "/usr/bin/app");
  CHECK(f.tr.view_path_of(t.real) == "/usr/bin");
  write_file(f.tr.translate("/usr/bin/new", Intent::Create).real, "x");
  const Translation again = f.tr.translate("/usr/bin", Intent::Lookup);
  CHECK(again.real != t.real);
  CHECK(appv::test::list_tree(again.real) == std::vector<std::string>{"app", "data-link", "mine", "new", "rel-dir"});
}

TEST_CASE("which layer lists a merged directory is remembered across launches until a layer changes") {
  Fixture f;
  // The package's doc directory lacks the host's "extra": the host's lists the view.
  make_dirs(f.pkg + "/usr/share/doc");
  write_file(f.pkg + "/usr/share/doc/readme", "package doc\n");
  write_file(f.host + "/usr/share/doc/extra", "host extra\n");
  f.package_changed();
  const std::string memory = f.t / "listings-memory";
  // Directories changed within the last second are not remembered (a change in the
  // same clock tick would not show in their ctime).
  f.tr.use_listing_memory(memory);
  CHECK(f.tr.translate("/usr/share/doc", Intent::Lookup).real == f.host + "/usr/share/doc");
  f.tr.save_listing_memory();
  CHECK_FALSE(appv::test::exists(memory));
  ::usleep(1100 * 1000);
  PathTranslator first = f.later_launch();
  first.use_listing_memory(memory);
  CHECK(first.translate("/usr/share/doc", Intent::Lookup).real == f.host + "/usr/share/doc");
  first.save_listing_memory();
  const std::string saved = read_file(memory);
  CHECK(saved.rfind("/usr/share/doc\t" + f.host + "/usr/share/doc\t", 0) == 0);
  // A later launch takes the remembered layer without reading the listings: a memory
  // naming the package's directory (with the same stamps) is believed...
  const size_t tab = saved.find('\t');
  write_file(memory, "/usr/share/doc\t" + f.pkg + "/usr/share/doc" + saved.substr(saved.find('\t', tab + 1)));
  PathTranslator second = f.later_launch();
  second.use_listing_memory(memory);
  CHECK(second.translate("/usr/share/doc", Intent::Lookup).real == f.pkg + "/usr/share/doc");
  // ...until a layer's directory changes: then the listings are read again.
  write_file(f.host + "/usr/share/doc/more", "host more\n");
  PathTranslator third = f.later_launch();
  third.use_listing_memory(memory);
  CHECK(third.translate("/usr/share/doc", Intent::Lookup).real == f.host + "/usr/share/doc");
}

TEST_CASE("descriptors of the package's and the host's files under writecopy may not change them") {
  Fixture f;
  CHECK(f.tr.in_protected_layer(f.pkg + "/usr/bin/app"));
  CHECK(f.tr.in_protected_layer(f.host + "/usr/bin/tool"));
  CHECK(f.tr.in_protected_layer(f.host + "/etc/hostname"));  // host state, read-only
  CHECK_FALSE(f.tr.in_protected_layer(f.upper + "/usr/bin/app"));
  CHECK_FALSE(f.tr.in_protected_layer(f.host + "/data/notes"));  // merged: the host's to change
  CHECK_FALSE(f.tr.in_protected_layer("/proc/self/fd/0"));
}

TEST_CASE("a change to a place's own root lands in its upper directory, made with the mode shown") {
  Fixture f;
  REQUIRE(::chmod((f.pkg + "/usr").c_str(), 0750) == 0);
  REQUIRE_FALSE(appv::test::exists(f.upper + "/usr"));
  const Translation t = f.tr.translate("/usr", Intent::Write);
  REQUIRE(t.error == 0);
  CHECK(t.real == f.upper + "/usr");
  struct stat st;
  REQUIRE(::stat(t.real.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0750);
  // Made once: the next change finds it, and the view shows it on top.
  CHECK(f.tr.translate("/usr", Intent::Write).real == f.upper + "/usr");
  CHECK(f.tr.translate("/usr/bin/app", Intent::Lookup).real == f.pkg + "/usr/bin/app");
  // A place root is not removed (a mount point).
  CHECK(f.tr.translate("/usr", Intent::Delete, false).error == EBUSY);
}

TEST_CASE("a lower directory is copied up for a change of its own, a stale copy-up temporary is replaced") {
  Fixture f;
  const Translation dir = f.tr.translate("/usr/share/doc", Intent::Write);
  REQUIRE(dir.error == 0);
  CHECK(dir.real == f.upper + "/usr/share/doc");
  struct stat st;
  REQUIRE(::stat(dir.real.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(f.tr.translate("/usr/share/doc/readme", Intent::Lookup).real == f.host + "/usr/share/doc/readme");
  // A supervisor killed mid copy-up left its temporary behind.
  make_dirs(f.upper + "/usr/bin");
  write_file(f.upper + "/usr/bin/tool.appv-copy-up", "half a cop");
  const Translation file = f.tr.translate("/usr/bin/tool", Intent::Write);
  REQUIRE(file.error == 0);
  CHECK(read_file(file.real) == "host tool\n");
  CHECK_FALSE(appv::test::exists(f.upper + "/usr/bin/tool.appv-copy-up"));
}

TEST_CASE("copy-up refuses a lower file the caller may neither write nor owns") {
  Fixture f;
  const std::string file = f.host + "/usr/share/doc/readme";
  // As root: a file of another user's, and the capabilities dropped as the root
  // supervisor drops them; as a user: a file of root's from the host's /etc.
  const bool root = ::geteuid() == 0;
  if (root) {
    REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
  }
  Plan plan;
  plan.ops.push_back(MountOp::overlay("/etc", {"/etc"}, f.upper + "/etc", f.t / "sb/work/etc", "writecopy"));
  PathTranslator etc(ViewTable::from_plan(plan), {f.empty, f.empty_file}, false);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (root) {
      __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
      __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
      if (::syscall(SYS_capset, &header, data) != 0) ::_exit(100);
    }
    const Translation t = root ? f.tr.translate("/usr/share/doc/readme", Intent::Write) : etc.translate("/etc/passwd", Intent::Write);
    ::_exit(t.error & 0x7f);
  }
  int st = 0;
  ::waitpid(child, &st, 0);
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == EACCES);
  CHECK_FALSE(appv::test::exists(f.upper + "/usr/share/doc/readme"));
  CHECK_FALSE(appv::test::exists(f.upper + "/etc/passwd"));
}

TEST_CASE("a private tmpfs shows only what the plan puts in it, read-only; a tmpfs anyone may write is the host's") {
  Plan plan;
  plan.ops.push_back(MountOp::tmpfs("/dev", "mode=0755", "private /dev"));
  plan.ops.push_back(MountOp::bind("/dev/null", "/dev/null", "basic device"));
  plan.ops.push_back(MountOp::tmpfs("/dev/shm", "mode=1777", "private /dev/shm"));
  TempDir t;
  make_dirs(t / "empty");
  PathTranslator tr(ViewTable::from_plan(plan), {t / "empty", t / "empty-file"}, false);
  CHECK(tr.translate("/dev/null", Intent::Write).real == "/dev/null");
  CHECK(tr.translate("/dev/zero", Intent::Write).error == ENOENT);  // the host's, not bound
  CHECK(tr.translate("/dev/appv-unit-new", Intent::Create).error == EROFS);
  CHECK(tr.translate("/dev/null", Intent::Delete, false).error == EBUSY);
  CHECK(tr.translate("/dev", Intent::Write).error == EROFS);
  const Translation shm = tr.translate("/dev/shm/appv-unit-new", Intent::Create);
  CHECK(shm.error == 0);
  CHECK(shm.real == "/dev/shm/appv-unit-new");
}

TEST_CASE("a tree's index names each entry's kind, and nothing it does not hold") {
  TempDir t;
  const std::string root = t / "root";
  make_dirs(root + "/usr/lib/app");
  make_dirs(root + "/usr/bin");
  write_file(root + "/usr/bin/app", "app\n", 0755);
  write_file(root + "/usr/lib/app/data", "data\n");
  REQUIRE(::symlink("../lib/app", (root + "/usr/bin/lib").c_str()) == 0);
  REQUIRE(::mkfifo((root + "/usr/pipe").c_str(), 0644) == 0);
  // Names sorted around the ones looked up: "usr-" sorts after "usr/" (0x2d < 0x2f).
  write_file(root + "/usr-old", "x\n");
  write_file(root + "/a", "x\n");
  const std::string file = t / "index";
  REQUIRE(write_tree_index(root, file));
  std::optional<TreeIndex> index = TreeIndex::open(file);
  REQUIRE(index);
  CHECK(index->find("/usr") == 'd');
  CHECK(index->find("/usr/lib/app") == 'd');
  CHECK(index->find("/usr/bin/app") == 'f');
  CHECK(index->find("/usr/lib/app/data") == 'f');
  CHECK(index->find("/usr/bin/lib") == 'l');
  CHECK(index->find("/usr/pipe") == 'o');
  CHECK(index->find("/usr-old") == 'f');
  CHECK(index->find("/a") == 'f');
  for (const char* absent : {"/", "/0", "/b", "/usr/", "/usr/bi", "/usr/bin/app/x", "/usr/lib/app/datb", "/zzz", ""}) {
    INFO(absent);
    CHECK(index->find(absent) == '\0');
  }
  // A file that is not an index is no index.
  write_file(t / "not-an-index", "hello\n");
  CHECK_FALSE(TreeIndex::open(t / "not-an-index"));
  CHECK_FALSE(TreeIndex::open(t / "absent"));
  // A name with a newline cannot be written: no index at all, its tree looked up on disk.
  write_file(root + "/usr/two\nlines", "x\n");
  CHECK_FALSE(write_tree_index(root, t / "index2"));
  CHECK_FALSE(appv::test::exists(t / "index2"));
}

TEST_CASE("a tree's index finds every entry and nothing else, names of any length and order") {
  TempDir t;
  const std::string root = t / "root";
  // Names around '/' in byte order ('-' '.' '0' 'a' '\xc3'), some prefixes of others.
  const std::vector<std::string> parts = {"a", "a-b", "a.b", "a0", "ab", "b", "\xc3\xa9t\xc3\xa9", "z", "long-name-of-some-length"};
  const auto is_dir = [](const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  std::set<std::string> made;
  uint32_t seed = 12345;
  const auto next = [&seed] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  for (int i = 0; i < 300; ++i) {
    std::string path;
    const int depth = 1 + static_cast<int>(next() % 4);
    for (int d = 0; d < depth; ++d) path += "/" + parts[next() % parts.size()];
    std::string prefix;
    bool clash = false;  // a name taken by a file cannot hold a directory
    for (size_t at = 1; at <= path.size(); ++at) {
      if (at == path.size() || path[at] == '/') {
        const std::string p = path.substr(0, at);
        if (at < path.size() && made.count(p) && test::exists(root + p) && !is_dir(root + p)) clash = true;
      }
    }
    if (clash || made.count(path)) continue;
    make_dirs(parent_dir(root + path));
    if (test::exists(root + path)) continue;
    write_file(root + path, "x");
    for (size_t at = 1; at <= path.size(); ++at) {
      if (at == path.size() || path[at] == '/') made.insert(path.substr(0, at));
    }
  }
  REQUIRE(write_tree_index(root, t / "index"));
  std::optional<TreeIndex> index = TreeIndex::open(t / "index");
  REQUIRE(index);
  for (const std::string& p : made) {
    INFO(p);
    CHECK(index->find(p) == (is_dir(root + p) ? 'd' : 'f'));
    for (const char* more : {"x", "-", "/", "/a/a"}) {
      if (!made.count(p + more)) CHECK(index->find(p + more) == '\0');
    }
  }
}
