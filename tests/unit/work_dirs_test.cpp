// The sweep of work sandboxes (.temp-, .capture-, .import-, .replaced-): what is
// stale goes, what a lock or a live pid holds stays, and one that cannot be removed
// is reported once and never stops the sweep.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "base/file_lock.h"
#include "base/fs_util.h"
#include "tests/unit/support/in_child.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/sandbox.h"
#include "vfs/work_dirs.h"

using namespace appv;
using namespace appv::test;

namespace {

struct Warnings final : Reporter {
  std::vector<std::string> lines;
  void warning(std::string_view text) override { lines.emplace_back(text); }
};

// A pid no process has now: a child's, reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

std::string work_dir(const std::string& sandboxes, const std::string& prefix, pid_t pid) {
  const std::string dir = fmt::format("{}/{}org.x.App-{}", sandboxes, prefix, pid);
  write_file(dir + "/upper/home/f", "x");
  return dir;
}

}  // namespace

TEST_CASE("the sweep removes work sandboxes of dead pids and keeps those a lock or a live pid holds") {
  TempDir t;
  const std::string sb = t / "sandboxes";
  const pid_t dead = dead_pid();
  const std::string stale_temp = work_dir(sb, ".temp-", dead);
  const std::string stale_replaced = work_dir(sb, ".replaced-", dead);
  const std::string stale_capture = fmt::format("{}/.capture-{}", sb, dead);
  write_file(stale_capture + "/upper/x", "x");
  write_file(stale_temp + "/.lock", "");  // a lock nobody holds
  // The first appv process of this launch died (its pid is dead), the app lives on:
  // the launch's other processes hold the lock.
  const std::string held = fmt::format("{}/.temp-org.x.Other-{}", sb, dead);
  write_file(held + "/upper/home/f", "x");
  const UniqueFd lock = lock_file(held + "/.lock", 0600, LockWait::Block);
  // Being created (no lock yet) by a live process.
  const std::string starting = work_dir(sb, ".import-", ::getpid());
  const std::string app = sb + "/org.x.App";  // an app's own sandbox: never swept
  write_file(app + "/upper/f", "x");

  Warnings warnings;
  remove_stale_work_dirs(sb, warnings);
  CHECK_FALSE(exists(stale_temp));
  CHECK_FALSE(exists(stale_replaced));
  CHECK_FALSE(exists(stale_capture));
  CHECK(exists(held + "/upper/home/f"));
  CHECK(exists(starting + "/upper/home/f"));
  CHECK(exists(app + "/upper/f"));
  CHECK(warnings.lines.empty());
}

TEST_CASE("the sweep removes a leftover with 0000 directories and one deeper than PATH_MAX") {
  TempDir t;
  const std::string sb = t / "sandboxes";
  const pid_t dead = dead_pid();
  const std::string nested = work_dir(sb, ".temp-", dead);
  make_dirs(nested + "/upper/a/b/c");
  for (const char* d : {"/upper/a/b/c", "/upper/a/b", "/upper/a"}) REQUIRE(::chmod((nested + d).c_str(), 0) == 0);
  const std::string deep = work_dir(sb, ".replaced-", dead);
  UniqueFd cur(::open(deep.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < 40; ++i) {
    const std::string name(150, static_cast<char>('a' + i % 26));
    REQUIRE(::mkdirat(cur.get(), name.c_str(), 0700) == 0);
    cur.reset(::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(cur);
  }
  cur.reset();
  Warnings warnings;
  remove_stale_work_dirs(sb, warnings);
  CHECK(warnings.lines.empty());
  CHECK(list_dir(sb).empty());
}

TEST_CASE("a leftover the sweep cannot remove is set aside, reported once, and does not stop the sweep") {
  TempDir t;
  const int status = in_child([&] {
    if (const int failed = enter_private_mount_namespace()) return failed;
    const std::string sb = t / "sandboxes";
    const pid_t dead = dead_pid();
    // A file system mounted inside a leftover: removal refuses to cross it.
    const std::string stuck = work_dir(sb, ".temp-", dead);
    make_dirs(stuck + "/mnt");
    if (::mount("tmpfs", (stuck + "/mnt").c_str(), "tmpfs", 0, nullptr) != 0) return 23;
    write_file(stuck + "/mnt/inside", "x");
    const std::string other = work_dir(sb, ".capture-", dead);
    Warnings first;
    remove_stale_work_dirs(sb, first);
    const std::string aside = fmt::format("{}/.unremovable-.temp-org.x.App-{}", sb, dead);
    if (first.lines.size() != 1 || first.lines[0].find("mounted") == std::string::npos ||
        first.lines[0].find(aside) == std::string::npos) {
      for (const std::string& l : first.lines) std::fprintf(stderr, "warning: %s\n", l.c_str());
      return 24;
    }
    if (exists(other) || exists(stuck) || !exists(aside + "/mnt/inside")) return 25;
    Warnings second;
    remove_stale_work_dirs(sb, second);  // tried again, quietly
    if (!second.lines.empty() || !exists(aside + "/mnt/inside")) return 26;
    // Once it can go, a later sweep removes it.
    if (::umount((aside + "/mnt").c_str()) != 0) return 27;
    remove_stale_work_dirs(sb, second);
    return second.lines.empty() && !exists(aside) ? 0 : 28;
  });
  CHECK(status == 0);
}

TEST_CASE("remove_work_dir says where a sandbox it could not remove was left") {
  TempDir t;
  const int status = in_child([&] {
    if (const int failed = enter_private_mount_namespace()) return failed;
    const std::string dir = work_dir(t / "sandboxes", ".replaced-", ::getpid());
    make_dirs(dir + "/mnt");
    if (::mount("tmpfs", (dir + "/mnt").c_str(), "tmpfs", 0, nullptr) != 0) return 23;
    try {
      remove_work_dir(dir);
    } catch (const Error& e) {
      const std::string aside = t / fmt::format("sandboxes/.unremovable-.replaced-org.x.App-{}", ::getpid());
      if (e.code() != Exit::Io || std::string(e.what()).find(aside) == std::string::npos) return 24;
      return exists(aside + "/mnt") && !exists(dir) ? 0 : 25;
    }
    return 26;
  });
  CHECK(status == 0);
}

TEST_CASE("reset keeping a path empties 0000 directories around it and keeps it") {
  TempDir t;
  const std::string sandbox = t / "sb";
  write_file(sandbox + "/upper/home/u/.config/app/rc", "keep\n");
  write_file(sandbox + "/upper/home/u/junk/deep/f", "x");
  write_file(sandbox + "/upper/etc/f", "x");
  make_dirs(sandbox + "/work/work");
  for (const char* d : {"/upper/home/u/junk/deep", "/upper/home/u/junk", "/work/work"}) {
    REQUIRE(::chmod((sandbox + d).c_str(), 0) == 0);
  }
  REQUIRE(::symlink(t.path().c_str(), (sandbox + "/upper/home/u/link").c_str()) == 0);
  reset_sandbox(sandbox, "/home/u/.config");
  CHECK(list_tree(sandbox + "/upper") ==
        std::vector<std::string>{"home", "home/u", "home/u/.config", "home/u/.config/app", "home/u/.config/app/rc"});
  CHECK_FALSE(exists(sandbox + "/work"));
  CHECK(exists(sandbox + "/upper/home/u/.config/app/rc"));
}
