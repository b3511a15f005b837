#include "vfs/cache_inventory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/file_lock.h"
#include "base/fs_util.h"
#include "manifests/manifest.h"
#include "vfs/layout.h"
#include "vfs/package.h"
#include "vfs/sandbox.h"

namespace appv {
namespace {

constexpr std::string_view kLockSuffix = ".lock";

bool is_digest(std::string_view name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<struct stat> lstat_of(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

uint64_t bytes_of(const std::string& path) {
  const std::optional<struct stat> st = lstat_of(path);
  if (!st) return 0;
  if (S_ISDIR(st->st_mode)) return tree_bytes(path);
  return S_ISREG(st->st_mode) ? static_cast<uint64_t>(st->st_size) : 0;
}

void add(CacheFiles& files, const std::string& path) {
  files.paths.push_back(path);
  files.bytes += bytes_of(path);
}

// The digest a .tmp-<digest>-XXXXXX temporary belongs to, "" if none.
std::string temporary_digest(const std::string& name) {
  const std::string_view prefix = layout::kCacheTempPrefix;
  if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 65) return "";
  const std::string digest = name.substr(prefix.size(), 64);
  return is_digest(digest) && name[prefix.size() + 64] == '-' ? digest : "";
}

// Whether a launch holds the digest's lock now; an absent lock is held by nobody.
// Only asks: the lock is let go at once.
bool lock_held(const std::string& dir, const std::string& digest) {
  const std::string lock = layout::cache_lock(dir, digest);
  if (!path_exists(lock)) return false;
  return !lock_file(lock, 0600, LockWait::Try);
}

void read_identity(const std::string& entry, CacheTree& tree) {
  std::ifstream in(entry + "/.appv/manifest.toml");
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  try {
    const Manifest m = parse_manifest(text.str(), entry + "/.appv/manifest.toml");
    tree.id = m.id;
    tree.version = m.version;
  } catch (const Error&) {
  }
}

std::string oci(const std::string& dir) { return dir + "/oci"; }
std::string blobs_dir(const std::string& dir) { return oci(dir) + "/blobs/sha256"; }

}  // namespace

CacheInventory read_cache(const std::string& dir) {
  CacheInventory inv;
  inv.dir = dir;
  std::set<std::string> cached;
  for (const std::string& name : list_dir(dir)) {
    const std::string path = dir + "/" + name;
    const std::optional<struct stat> st = lstat_of(path);
    if (!st) continue;
    if (is_digest(name) && S_ISDIR(st->st_mode)) {
      CacheTree tree{name, "", "", tree_bytes(path), st->st_mtime, lock_held(dir, name)};
      if (const std::optional<struct stat> lock = lstat_of(layout::cache_lock(dir, name))) tree.last_used = lock->st_mtime;
      read_identity(path, tree);
      inv.trees.push_back(std::move(tree));
      cached.insert(name);
    } else if (!temporary_digest(name).empty()) {
      add(inv.temporaries, path);
    }
  }
  for (const std::string& name : list_dir(dir)) {
    if (name.size() != 64 + kLockSuffix.size() || !name.ends_with(kLockSuffix)) continue;
    const std::string digest = name.substr(0, 64);
    if (!is_digest(digest)) continue;
    add(inv.locks, dir + "/" + name);
    if (!cached.count(digest)) ++inv.stale_locks;
  }
  for (const std::string& name : list_dir(oci(dir) + "/downloads")) add(inv.downloads, oci(dir) + "/downloads/" + name);
  for (const std::string& name : list_dir(blobs_dir(dir))) add(inv.blobs, blobs_dir(dir) + "/" + name);
  std::sort(inv.trees.begin(), inv.trees.end(), [](const CacheTree& a, const CacheTree& b) {
    return std::tie(a.id, a.digest) < std::tie(b.id, b.digest);
  });
  return inv;
}

namespace {

class Pruner {
 public:
  Pruner(const std::string& dir, const PruneKeep& keep, bool dry_run) : dir_(dir), keep_(keep), dry_run_(dry_run) {}

  PruneResult run() {
    const CacheInventory inv = read_cache(dir_);
    // Interrupted extractions first: a live one holds its digest's lock.
    for (const std::string& path : inv.temporaries.paths) {
      const std::string digest = temporary_digest(path.substr(path.rfind('/') + 1));
      UniqueFd lock = take(digest);
      if (!free_now(lock)) continue;
      remove(path, result_.temporaries);
      // The lock only guarded this extraction (and taking it may have created it).
      if (!dry_run_ && !path_exists(layout::cache_entry(dir_, digest))) ::unlink(layout::cache_lock(dir_, digest).c_str());
    }
    for (const CacheTree& tree : inv.trees) prune_tree(tree);
    // Locks of digests no longer cached; those of the trees just removed went with them.
    for (const std::string& path : inv.locks.paths) {
      const std::string digest = path.substr(path.rfind('/') + 1, 64);
      if (removed_tree(digest) || !path_exists(path) || path_exists(layout::cache_entry(dir_, digest))) continue;
      UniqueFd lock = take(digest);
      if (free_now(lock)) remove(path, result_.locks);
    }
    prune_oci(inv);
    if (!dry_run_) ::rmdir(dir_.c_str());  // only when empty
    return result_;
  }

 private:
  // The digest's lock, taken exclusively if no one holds it (the holder being a launch
  // or an extraction); empty when held, or in a dry run (which only asks).
  UniqueFd take(const std::string& digest) {
    const std::string path = layout::cache_lock(dir_, digest);
    if (dry_run_) {
      held_now_ = path_exists(path) && !lock_file(path, 0600, LockWait::Try);
      return {};
    }
    return lock_file(path, 0600, LockWait::Try);
  }

  // After take(): whether no one held the lock (in a dry run, by asking).
  bool free_now(const UniqueFd& lock) const { return dry_run_ ? !held_now_ : static_cast<bool>(lock); }

  bool removed_tree(const std::string& digest) const { return removed_digests_.count(digest) > 0; }

  void prune_tree(const CacheTree& tree) {
    if (keep_.digests.count(tree.digest)) return;
    const std::string entry = layout::cache_entry(dir_, tree.digest);
    UniqueFd lock = take(tree.digest);
    if (!free_now(lock)) {
      result_.in_use.push_back(entry);
      return;
    }
    if (dry_run_) {
      remove(entry, result_.trees);
      removed_digests_.insert(tree.digest);
      return;
    }
    // Out of sight first (a launch checks for the entry under its shared lock, and
    // extracts again when it is gone), then removed, then the lock it no longer guards.
    const std::string aside = fmt::format("{}/{}prune{}", dir_, layout::cache_temp_prefix(tree.digest), ::getpid());
    if (::rename(entry.c_str(), aside.c_str()) != 0) throw_sys("cannot move aside", entry, errno);
    if (!removed(aside)) return;
    result_.bytes += tree.bytes;
    result_.removed.push_back(entry);
    ++result_.trees;
    ::unlink(layout::cache_lock(dir_, tree.digest).c_str());
    removed_digests_.insert(tree.digest);
  }

  void remove(const std::string& path, size_t& count) {
    const uint64_t bytes = bytes_of(path);
    if (!dry_run_ && !removed(path)) return;
    result_.bytes += bytes;
    result_.removed.push_back(path);
    ++count;
  }

  // remove_tree, its failure recorded rather than ending the prune: one tree that
  // cannot go must not keep everything else.
  bool removed(const std::string& path) {
    try {
      remove_tree(path);
      return true;
    } catch (const Error& e) {
      result_.failures.push_back(e.what());
      return false;
    }
  }

  void prune_oci(const CacheInventory& inv) {
    for (const std::string& path : inv.downloads.paths) {
      const std::optional<struct stat> st = lstat_of(path);
      if (st && st->st_mtime + kDownloadQuietSeconds > keep_.now) continue;  // a pull may be writing it
      remove(path, result_.downloads);
    }
    for (const std::string& path : inv.blobs.paths) {
      std::string digest;
      try {
        digest = Package::open(path).digest();
      } catch (const Error&) {
        // Not a package (any more): nothing can run it.
      }
      if (keep_.digests.count(digest)) continue;
      remove(path, result_.blobs);
    }
    if (dry_run_) return;
    // Tag records naming a package no longer here, then the directories left empty.
    prune_refs(oci(dir_) + "/refs");
    for (const std::string& d : {blobs_dir(dir_), oci(dir_) + "/blobs", oci(dir_) + "/downloads", oci(dir_) + "/refs", oci(dir_)}) {
      ::rmdir(d.c_str());
    }
  }

  // Removes each tag record (a file holding "<manifest digest> <blob digest>") whose
  // blob is gone, and each directory left empty below `dir`.
  void prune_refs(const std::string& dir) {
    for (const std::string& name : list_dir(dir)) {
      const std::string path = dir + "/" + name;
      const std::optional<struct stat> st = lstat_of(path);
      if (!st) continue;
      if (S_ISDIR(st->st_mode)) {
        prune_refs(path);
        ::rmdir(path.c_str());
        continue;
      }
      std::ifstream in(path);
      std::string manifest_digest, blob_digest;
      in >> manifest_digest >> blob_digest;
      const std::string blob = blobs_dir(dir_) + "/" + blob_digest.substr(blob_digest.find(':') + 1);
      if (blob_digest.empty() || !path_exists(blob)) ::unlink(path.c_str());
    }
  }

  const std::string& dir_;
  const PruneKeep& keep_;
  const bool dry_run_;
  bool held_now_ = false;
  std::set<std::string> removed_digests_;
  PruneResult result_;
};

}  // namespace

PruneResult prune_cache(const std::string& dir, const PruneKeep& keep, bool dry_run) {
  return Pruner(dir, keep, dry_run).run();
}

}  // namespace appv
