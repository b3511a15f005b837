#include "vfs/cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "base/error.h"
#include "base/owned_dirs.h"
#include "base/file_lock.h"
#include "manifests/paths.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "base/text.h"
#include "base/user_dirs.h"
#include "vfs/layout.h"
#include "vfs/payload.h"
#include "vfs/tree_index.h"

namespace appv {
namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Removes what an interrupted extraction of `digest` left. Only called with the
// digest's lock held, so no live extraction owns these directories. One that cannot
// be removed is a warning, not a reason to refuse the package: the new extraction
// takes a name of its own, and `cache prune` tries the leftover again.
void remove_stale_temporaries(const std::string& cache_root, const std::string& digest, Reporter& reporter) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(cache_root.c_str()), closedir);
  if (!d) return;
  const std::string prefix = layout::cache_temp_prefix(digest);
  std::vector<std::string> stale;
  while (dirent* ent = readdir(d.get())) {
    if (std::string_view(ent->d_name).substr(0, prefix.size()) == prefix) stale.push_back(cache_root + "/" + ent->d_name);
  }
  for (const std::string& path : stale) {
    try {
      remove_tree(path);
    } catch (const Error& e) {
      reporter.warning(printable_message(e.what()));  // names from the package, escaped
    }
  }
}

// The manifest's files.hide: overlay whiteouts (character devices 0:0) in the package's
// layer, so the host's files at those paths do not show through it. Parents are
// created as needed; a path that would pass through anything but a real directory of
// the extracted tree is skipped (nothing is ever created outside it).
void create_whiteouts(const std::string& root, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::vector<std::string> parts = split_nonempty(path, '/');
    UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_sys("cannot open", root, errno);
    bool usable = true;
    for (size_t i = 0; i + 1 < parts.size() && usable; ++i) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) throw_sys("cannot create", root + path, errno);
      UniqueFd next(::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      usable = static_cast<bool>(next);
      dir = std::move(next);
    }
    if (!usable) continue;
    if (::mknodat(dir.get(), parts.back().c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0 && errno != EEXIST) {
      throw_sys("cannot create a whiteout for", path, errno, Exit::Environment);
    }
  }
}

}  // namespace

std::string cache_dir() {
  const std::string base = require_xdg_dir(XdgDir::Cache);
  require_own_dirs(base, "appv");
  return base + "/appv";
}


namespace {

// Extracts `package` into its entry unless another caller did first; under the
// digest's exclusive lock.
bool extract_entry(const Package& package, const std::string& cache_root, const std::string& entry, Reporter& reporter) {
  make_dirs(cache_root, 0700);
  const std::string digest = package.digest();
  UniqueFd lock = lock_file(layout::cache_lock(cache_root, digest), 0600, LockWait::Block);
  // Another launch may have published it while this one waited for the lock.
  if (is_dir(entry)) return false;

  remove_stale_temporaries(cache_root, digest, reporter);
  // Refuse up front what cannot fit, rather than filling the disk and failing later;
  // the write path still handles ENOSPC (another writer may take the space meanwhile).
  struct statvfs fs;
  if (::statvfs(cache_root.c_str(), &fs) == 0) {
    const uint64_t free_bytes = uint64_t{fs.f_bavail} * fs.f_frsize;
    if (free_bytes < package.header().unpacked_bytes) {
      throw Error(Exit::Io, fmt::format("not enough space in '{}' to extract '{}': it needs {} bytes, {} are free",
                                        cache_root, package.path(), package.header().unpacked_bytes, free_bytes));
    }
  }
  std::string tmp = fmt::format("{}/{}XXXXXX", cache_root, layout::cache_temp_prefix(digest));
  if (!mkdtemp(tmp.data())) throw_sys("cannot create a temporary directory in", cache_root, errno);
  ScopeGuard remove_tmp([&] { remove_tree_quietly(tmp); });
  extract_payload(package, tmp, {}, reporter);
  create_whiteouts(tmp + "/root", package.manifest().hide);
  // The index is a shortcut for lookups, not part of the tree: a tree without one is
  // looked up on disk, so a failure to write it fails nothing.
  try {
    if (!write_tree_index(tmp + "/root", layout::tree_index(tmp))) ::unlink(layout::tree_index(tmp).c_str());
  } catch (const Error&) {
    ::unlink(layout::tree_index(tmp).c_str());
  }
  // One syncfs instead of an fsync per file: the tree is durable before it is
  // published, and the rename is made durable by syncing the parent.
  UniqueFd fd(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::syncfs(fd.get()) != 0) throw_sys("cannot sync", tmp, errno);
  if (::rename(tmp.c_str(), entry.c_str()) != 0) throw_sys("cannot publish cache entry", entry, errno);
  remove_tmp.dismiss();
  sync_dir(cache_root);
  return true;
}

}  // namespace

CachedPackage ensure_cached(const Package& package, const std::string& cache_root, Reporter& reporter) {
  const std::string digest = package.digest();
  CachedPackage out{layout::cache_entry(cache_root, digest), layout::cache_root(cache_root, digest), false, {}};
  for (;;) {
    if (!is_dir(out.dir)) out.extracted_now |= extract_entry(package, cache_root, out.dir, reporter);
    // flock cannot turn the extraction's exclusive lock into a shared one atomically:
    // the entry is checked again once the shared lock is held, and a prune that took
    // it in between (the entry gone) means extracting again.
    out.in_use = lock_file(layout::cache_lock(cache_root, digest), 0600, LockWait::Block, LockKind::Shared);
    if (is_dir(out.dir)) break;
    out.in_use.reset();
  }
  ::futimens(out.in_use.get(), nullptr);  // last used: now (best effort; only `appv cache` reads it)
  return out;
}

}  // namespace appv
