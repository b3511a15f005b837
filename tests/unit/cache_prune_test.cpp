// `appv cache` and `appv cache prune`: what the cache holds, and removing what nothing
// uses without touching a tree a launch holds.
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include <catch2/catch.hpp>

#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/cache.h"
#include "vfs/cache_inventory.h"
#include "vfs/layout.h"
#include "vfs/package.h"

using namespace appv;
using namespace appv::test;

namespace {

std::string manifest(const std::string& id) {
  return "id = \"" + id + "\"\nversion = \"2.1\"\n[entry.probe]\npath = \"/usr/bin/probe\"\n";
}

// A package of `id` whose one file holds `size` bytes, extracted into `cache`.
std::string cached_digest(const TempDir& dir, const std::string& id, size_t size) {
  std::vector<RawEntry> e = base_entries(manifest(id));
  e.push_back({"root/usr/", '5', 0755, {}, {}, -1});
  e.push_back({"root/usr/bin/", '5', 0755, {}, {}, -1});
  e.push_back({"root/usr/bin/probe", '0', 0755, std::string(size, 'p'), {}, -1});
  write_package_file(dir / (id + ".appv"), e, manifest(id));
  Package p = Package::open(dir / (id + ".appv"));
  ensure_cached(p, dir / "cache");  // and let go: nothing holds it
  return p.digest();
}

}  // namespace

TEST_CASE("the cache inventory lists trees with their identity, size and last use") {
  TempDir dir;
  const time_t before = ::time(nullptr);
  const std::string digest = cached_digest(dir, "org.example.a", 5000);
  std::ofstream(dir / ("cache/" + std::string(64, 'e') + ".lock")).put('x');  // of a digest not cached
  ::mkdir((dir / ("cache/.tmp-" + digest + "-XYZ")).c_str(), 0700);
  const CacheInventory inv = read_cache(dir / "cache");
  REQUIRE(inv.trees.size() == 1);
  CHECK(inv.trees[0].digest == digest);
  CHECK(inv.trees[0].id == "org.example.a");
  CHECK(inv.trees[0].version == "2.1");
  CHECK(inv.trees[0].bytes >= 5000);
  CHECK(inv.trees[0].last_used >= before);
  CHECK_FALSE(inv.trees[0].locked);
  CHECK(inv.locks.paths.size() == 2);
  CHECK(inv.stale_locks == 1);
  CHECK(inv.temporaries.paths.size() == 1);
  CHECK(read_cache(dir / "absent").trees.empty());
}

TEST_CASE("prune removes what is not kept, keeps what is, and a tree a launch holds") {
  TempDir dir;
  const std::string unused = cached_digest(dir, "org.example.unused", 20000);
  const std::string installed = cached_digest(dir, "org.example.installed", 100);
  const std::string running = cached_digest(dir, "org.example.running", 100);
  Package p = Package::open(dir / "org.example.running.appv");
  CachedPackage held = ensure_cached(p, dir / "cache");  // a launch using it
  std::ofstream(dir / ("cache/" + std::string(64, 'e') + ".lock")).put('x');
  ::mkdir((dir / ("cache/.tmp-" + unused + "-XYZ")).c_str(), 0700);
  PruneKeep keep{{installed}, ::time(nullptr)};

  const PruneResult dry = prune_cache(dir / "cache", keep, /*dry_run=*/true);
  CHECK(dry.trees == 1);
  CHECK(dry.locks == 1);
  CHECK(dry.temporaries == 1);
  CHECK(dry.in_use == std::vector<std::string>{layout::cache_entry(dir / "cache", running)});
  CHECK(exists(layout::cache_entry(dir / "cache", unused)));  // a dry run removes nothing
  CHECK(exists(dir / ("cache/" + std::string(64, 'e') + ".lock")));

  const PruneResult r = prune_cache(dir / "cache", keep, /*dry_run=*/false);
  CHECK(r.trees == 1);
  CHECK(r.bytes >= 20000);
  CHECK_FALSE(exists(layout::cache_entry(dir / "cache", unused)));
  CHECK_FALSE(exists(layout::cache_lock(dir / "cache", unused)));
  CHECK_FALSE(exists(dir / ("cache/.tmp-" + unused + "-XYZ")));
  CHECK_FALSE(exists(dir / ("cache/" + std::string(64, 'e') + ".lock")));
  CHECK(exists(layout::cache_entry(dir / "cache", installed)));
  CHECK(exists(layout::cache_entry(dir / "cache", running)));
  CHECK(r.in_use.size() == 1);

  // Once the launch lets go and nothing is kept, everything goes, the directory too.
  held.in_use.reset();
  const PruneResult all = prune_cache(dir / "cache", {{}, ::time(nullptr)}, false);
  CHECK(all.trees == 2);
  CHECK_FALSE(exists(dir / "cache"));
  // A launch after a prune extracts again.
  CHECK(ensure_cached(p, dir / "cache").extracted_now);
}

TEST_CASE("prune never follows a link the package planted in its tree") {
  TempDir dir;
  const std::string digest = cached_digest(dir, "org.example.links", 10);
  ::mkdir((dir / "outside").c_str(), 0755);
  std::ofstream(dir / "outside/keep").put('k');
  REQUIRE(::symlink((dir / "outside").c_str(), (layout::cache_root(dir / "cache", digest) + "/usr/out").c_str()) == 0);
  prune_cache(dir / "cache", {{}, ::time(nullptr)}, false);
  CHECK_FALSE(exists(layout::cache_entry(dir / "cache", digest)));
  CHECK(exists(dir / "outside/keep"));
}
