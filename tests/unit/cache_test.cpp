#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/cache.h"
#include "vfs/sandbox.h"
#include "vfs/package.h"

using namespace appv;
using namespace appv::test;

namespace {

std::vector<RawEntry> tree() {
  std::vector<RawEntry> e = base_entries();
  e.push_back({"root/usr/", '5', 0755, {}, {}, -1});
  e.push_back({"root/usr/bin/", '5', 0755, {}, {}, -1});
  e.push_back({"root/usr/bin/probe", '0', 0755, std::string(1 << 20, 'p'), {}, -1});
  return e;
}

}  // namespace

TEST_CASE("a package is extracted once, then served from the cache") {
  TempDir dir;
  write_package_file(dir / "p.appv", tree());
  Package p = Package::open(dir / "p.appv");
  CachedPackage first = ensure_cached(p, dir / "cache");
  CHECK(first.extracted_now);
  CHECK(first.dir == dir / "cache/" + p.digest());
  CHECK(read_file(first.root + "/usr/bin/probe").size() == 1 << 20);
  CachedPackage second = ensure_cached(p, dir / "cache");
  CHECK_FALSE(second.extracted_now);
  CHECK(second.root == first.root);
}

TEST_CASE("concurrent launches extract a package exactly once") {
  TempDir dir;
  write_package_file(dir / "p.appv", tree());
  constexpr int kProcs = 16;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcs; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Each child reports through its exit status: 10 extracted, 11 reused, 1 error.
      try {
        Package p = Package::open(dir / "p.appv");
        _exit(ensure_cached(p, dir / "cache").extracted_now ? 10 : 11);
      } catch (...) {
        _exit(1);
      }
    }
    pids.push_back(pid);
  }
  int extracted = 0, reused = 0;
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    extracted += WEXITSTATUS(status) == 10;
    reused += WEXITSTATUS(status) == 11;
  }
  CHECK(extracted == 1);
  CHECK(reused == kProcs - 1);
}

TEST_CASE("what a crashed extraction left is never taken for complete, and is cleaned") {
  TempDir dir;
  write_package_file(dir / "p.appv", tree());
  Package p = Package::open(dir / "p.appv");
  const std::string stale = dir / "cache/.tmp-" + p.digest() + "-ABC123";
  write_file(stale + "/root/usr/bin/probe", "half");
  CachedPackage c = ensure_cached(p, dir / "cache");
  CHECK(c.extracted_now);
  CHECK(read_file(c.root + "/usr/bin/probe").size() == 1 << 20);
  CHECK_FALSE(exists(stale));
}

TEST_CASE("a corrupt payload leaves no cache entry and no temporary directory") {
  TempDir dir;
  std::string bytes = frame_package(zstd_compress(make_tar(tree())));
  bytes[bytes.size() - kTrailerSize - 20] ^= 0x55;  // inside the payload; digests unchanged
  write_file(dir / "bad.appv", bytes);
  Package p = Package::open(dir / "bad.appv");
  CHECK_REFUSED(ensure_cached(p, dir / "cache"), Exit::BadInput, "package '");
  for (const std::string& name : list_tree(dir / "cache")) {
    INFO(name);
    CHECK(name.size() > 5);
    CHECK(name.substr(name.size() - 5) == ".lock");
  }
}

TEST_CASE("cache and sandbox directories follow XDG, then HOME") {
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  setenv("XDG_DATA_HOME", "/x/data", 1);
  CHECK(cache_dir() == "/x/cache/appv");
  CHECK(sandbox_dir("org.a") == "/x/data/appv/sandboxes/org.a");
  setenv("XDG_CACHE_HOME", "relative", 1);
  unsetenv("XDG_DATA_HOME");
  setenv("HOME", "/home/u", 1);
  CHECK(cache_dir() == "/home/u/.cache/appv");
  CHECK(sandbox_dir("org.a") == "/home/u/.local/share/appv/sandboxes/org.a");
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  CHECK_REFUSED(cache_dir(), Exit::Environment, "neither XDG_CACHE_HOME nor HOME is set to an absolute path");
}
