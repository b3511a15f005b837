// What the extraction cache holds and removing what nothing uses: `appv cache` and
// `appv cache prune`. The cache (vfs/layout.h) holds extracted trees, their lock files,
// extractions in progress (or interrupted), and the OCI store of pulled packages
// (distribution/oci_store.h: blobs, partial downloads, tag records).
#pragma once

#include <cstdint>
#include <ctime>
#include <set>
#include <string>
#include <vector>

namespace appv {

struct CacheTree {
  std::string digest;       // the payload's sha256, hex: the entry's name
  std::string id, version;  // from its manifest; "" when it cannot be read
  uint64_t bytes = 0;       // file bytes in the tree
  time_t last_used = 0;     // the lock file's mtime (stamped by each launch), else the entry's
  bool locked = false;      // a launch holds it now (its lock is taken)
};

// Files of one kind: how many and their bytes.
struct CacheFiles {
  std::vector<std::string> paths;
  uint64_t bytes = 0;
};

struct CacheInventory {
  std::string dir;  // the cache directory (vfs/cache.h cache_dir())
  std::vector<CacheTree> trees;  // sorted by id, then digest
  CacheFiles temporaries;        // .tmp-<digest>-*: extractions in progress or interrupted
  CacheFiles locks;              // <digest>.lock
  size_t stale_locks = 0;        // locks of digests no longer cached
  CacheFiles downloads;          // oci/downloads/*: partial downloads
  CacheFiles blobs;              // oci/blobs/sha256/*: pulled packages
};

// Reads the cache at `dir` (an absent one is empty). Never follows a link; names that
// are none of the above are left out.
CacheInventory read_cache(const std::string& dir);

// What `prune_cache` keeps besides what is in use (a tree whose lock a launch holds).
struct PruneKeep {
  std::set<std::string> digests;  // payload digests (hex) of trees and blobs to keep: installed, running
  time_t now = 0;                 // downloads written after now - kDownloadQuietSeconds may be live
};
inline constexpr time_t kDownloadQuietSeconds = 600;

struct PruneResult {
  std::vector<std::string> removed;  // paths, in the order removed (or that would be, dry run)
  size_t trees = 0, temporaries = 0, locks = 0, downloads = 0, blobs = 0;
  uint64_t bytes = 0;
  std::vector<std::string> in_use;  // trees kept because a launch holds them
  std::vector<std::string> failures;  // what could not be removed: one error message each
};

// Removes from the cache at `dir` what `keep` does not name and no launch uses, taking
// the lock a launch takes (<digest>.lock, exclusively, without waiting: a tree whose
// lock is held is in use and stays): trees (renamed to a temporary name first, so a
// launch finds a tree whole or absent), interrupted extractions, locks of digests no
// longer cached, partial downloads untouched for kDownloadQuietSeconds, pulled
// packages whose payload is not kept, and tag records of packages gone. Directories
// left empty go, the cache directory included. Removal never follows a link
// (base/tree_walk.h remove_tree). What cannot be removed is named in `failures` and
// the rest is pruned all the same (a tree moved aside stays as an interrupted
// extraction, which the next prune tries again). With `dry_run` nothing is removed
// and the result says what would be.
PruneResult prune_cache(const std::string& dir, const PruneKeep& keep, bool dry_run);

}  // namespace appv
