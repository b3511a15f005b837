// remove_tree and tree_bytes on trees shaped to mislead them: links where directories
// were, directories of mode 0000 (as a user: root's DAC override hides them), chains
// deeper than PATH_MAX, mounts inside the tree, and a directory moved mid-walk.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <fstream>
#include <functional>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/tree_walk.h"
#include "base/unique_fd.h"
#include "tests/unit/support/in_child.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using namespace appv::test;

namespace {

constexpr uid_t kNobody = 65534;

// Runs `body` as an unprivileged user: in a forked child that gives `dir` to that
// user and drops root, where the test runs as root; as the caller otherwise.
int unprivileged(const std::string& dir, const std::function<int()>& body) {
  if (::geteuid() != 0) return body();
  return in_child([&] {
    if (::chown(dir.c_str(), kNobody, kNobody) != 0 || ::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
        ::setresuid(kNobody, kNobody, kNobody) != 0) {
      return 97;
    }
    return body();
  });
}

// A chain of `depth` directories of 200-byte names below `dir`, made by descriptors
// (no path of it fits PATH_MAX), with `leaf` (5 bytes) at its end.
void make_deep_chain(const std::string& dir, int depth) {
  UniqueFd cur(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(cur);
  for (int i = 0; i < depth; ++i) {
    const std::string name = fmt::format("{:03}{}", i, std::string(197, 'd'));
    REQUIRE(::mkdirat(cur.get(), name.c_str(), 0755) == 0);
    cur.reset(::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(cur);
  }
  UniqueFd leaf(::openat(cur.get(), "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  REQUIRE(leaf);
  REQUIRE(::write(leaf.get(), "leaf\n", 5) == 5);
}

std::string thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("remove_tree removes files, links, FIFOs and read-only directories without following a link") {
  TempDir t;
  const std::string outside = t / "outside", tree = t / "tree";
  write_file(outside + "/precious", "keep\n");
  write_file(tree + "/a/b/file", "x");
  REQUIRE(::symlink(outside.c_str(), (tree + "/abs").c_str()) == 0);
  REQUIRE(::symlink("../../outside", (tree + "/a/rel").c_str()) == 0);
  REQUIRE(::mkfifo((tree + "/a/fifo").c_str(), 0600) == 0);
  // A directory that was one, now a link to the outside (an app's swap done early).
  REQUIRE(::symlink(outside.c_str(), (tree + "/a/b/was_dir").c_str()) == 0);
  REQUIRE(::chmod((tree + "/a/b").c_str(), 0500) == 0);
  REQUIRE(::chmod((tree + "/a").c_str(), 0555) == 0);
  remove_tree(tree);
  CHECK_FALSE(exists(tree));
  CHECK(read_file(outside + "/precious") == "keep\n");
  CHECK(list_tree(outside) == std::vector<std::string>{"precious"});
  remove_tree(tree);  // missing: fine
  write_file(t / "file", "x");
  remove_tree(t / "file");
  CHECK_FALSE(exists(t / "file"));
  REQUIRE(::symlink(outside.c_str(), (t / "link").c_str()) == 0);
  remove_tree(t / "link");  // the link goes, not what it names
  CHECK_FALSE(exists(t / "link"));
  CHECK(exists(outside + "/precious"));
}

TEST_CASE("remove_tree and tree_bytes walk a chain deeper than PATH_MAX") {
  TempDir t;
  const std::string tree = t / "deep";
  make_dirs(tree);
  write_file(tree + "/top", "123");
  make_deep_chain(tree, 30);  // 30 * 201 bytes: past PATH_MAX (4096)
  static_assert(30 * 201 > PATH_MAX);
  CHECK(tree_bytes(tree) == 3 + 5);
  remove_tree(tree);
  CHECK_FALSE(exists(tree));
}

TEST_CASE("as a user, nested directories of mode 0000 are measured as empty and removed") {
  TempDir t;
  const int status = unprivileged(t.path(), [&] {
    const std::string tree = t / "tree";
    make_dirs(tree + "/a/b/c");
    write_file(tree + "/a/b/c/f", "abc");
    write_file(tree + "/seen", "12345");
    for (const char* d : {"/a/b/c", "/a/b", "/a"}) {
      if (::chmod((tree + d).c_str(), 0) != 0) return 10;
    }
    // Unreadable below: what can be read is counted, and nothing fails.
    if (tree_bytes(tree) != 5) return 11;
    const std::string err = thrown_by([&] { remove_tree(tree); });
    if (!err.empty()) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 12;
    }
    return exists(tree) ? 13 : 0;
  });
  CHECK(status == 0);
}

TEST_CASE("remove_tree refuses to descend into a mount, a bind mount of the same file system included") {
  TempDir t;
  const int status = in_child([&] {
    if (const int failed = enter_private_mount_namespace()) return failed;
    const std::string tree = t / "tree", outside = t / "outside";
    write_file(outside + "/precious", "keep\n");
    make_dirs(tree + "/tmpfs");
    make_dirs(tree + "/bind");
    if (::mount("tmpfs", (tree + "/tmpfs").c_str(), "tmpfs", 0, nullptr) != 0) return 23;
    write_file(tree + "/tmpfs/inside", "x");
    if (::mount(outside.c_str(), (tree + "/bind").c_str(), nullptr, MS_BIND, nullptr) != 0) return 24;
    std::string err = thrown_by([&] { remove_tree(tree); });
    if (err.find("mounted") == std::string::npos) return 25;
    if (!exists(tree + "/tmpfs/inside") && !exists(outside + "/precious")) return 26;
    // Whichever came first was refused; the other is refused on the next try.
    err = thrown_by([&] { remove_tree(tree); });
    if (err.find("mounted") == std::string::npos) return 27;
    if (read_file(outside + "/precious") != "keep\n" || !exists(tree + "/tmpfs/inside")) return 28;
    // The tree itself on another mount than the directory holding it.
    if (thrown_by([&] { remove_tree(tree + "/tmpfs"); }).find("mounted") == std::string::npos) return 29;
    return exists(tree + "/tmpfs/inside") ? 0 : 30;
  });
  CHECK(status == 0);
}

TEST_CASE("remove_tree stops when a directory it is in is moved out of the tree") {
  TempDir t;
  const std::string tree = t / "tree", outside = t / "outside";
  write_file(outside + "/precious", "keep\n");
  write_file(outside + "/other", "keep too\n");
  const std::string big = tree + "/a/big";
  make_dirs(big);
  for (int i = 0; i < 20000; ++i) UniqueFd(::open(fmt::format("{}/f{}", big, i).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  // As soon as the walk removes a file in big/, big/ is moved to the outside: the walk,
  // still emptying it, must not take the way up from there (outside's '..').
  UniqueFd watch(::inotify_init1(IN_CLOEXEC));
  REQUIRE(watch);
  REQUIRE(::inotify_add_watch(watch.get(), big.c_str(), IN_DELETE) >= 0);
  std::atomic<int> moved{-1};
  std::thread mover([&] {
    char buf[4096];
    if (::read(watch.get(), buf, sizeof buf) > 0) moved = ::rename(big.c_str(), (outside + "/big").c_str());
  });
  const std::string err = thrown_by([&] { remove_tree(tree); });
  mover.join();
  REQUIRE(moved == 0);  // moved while the walk was inside: it had not removed big/ yet
  CHECK(err.find("was moved while appv removed it") != std::string::npos);
  CHECK(read_file(outside + "/precious") == "keep\n");
  CHECK(read_file(outside + "/other") == "keep too\n");
}

TEST_CASE("a directory swapped for a link while remove_tree runs never leads it out of the tree") {
  TempDir t;
  const std::string outside = t / "outside";
  // Named as the files in the tree: a removal that acts by path names, after a swap,
  // removes these.
  for (int i = 0; i < 20; ++i) write_file(fmt::format("{}/v{}", outside, i), "keep\n");
  const size_t before = list_tree(outside).size();
  for (int round = 0; round < 30; ++round) {
    const std::string tree = t / fmt::format("tree{}", round);
    for (int d = 0; d < 40; ++d) {
      for (int i = 0; i < 20; ++i) write_file(fmt::format("{}/d{}/v{}", tree, d, i), "x");
    }
    std::atomic<bool> stop{false};
    std::thread swapper([&] {
      // What a racing app does: each directory of the tree becomes a link to the outside.
      for (int d = 0; !stop; d = (d + 1) % 40) {
        const std::string dir = fmt::format("{}/d{}", tree, d), aside = dir + ".x";
        if (::rename(dir.c_str(), aside.c_str()) == 0 && ::symlink(outside.c_str(), dir.c_str()) != 0) break;
      }
    });
    try {
      remove_tree(tree);
    } catch (const Error&) {
      // The racer may make it fail (a name it adds meanwhile); it must never escape.
    }
    stop = true;
    swapper.join();
    CHECK(list_tree(outside).size() == before);
  }
}
