// The extraction cache: $XDG_CACHE_HOME/appv/<payload digest>/, shared by every
// launch of a package. An entry is either complete or absent (invariant 2).
#pragma once

#include <string>

#include "base/reporter.h"
#include "base/unique_fd.h"
#include "vfs/package.h"

namespace appv {

// $XDG_CACHE_HOME/appv, else $HOME/.cache/appv. Throws Exit::Environment if neither
// variable gives an absolute path, Exit::NoPerm when that directory or its base
// belongs to another user (base/owned_dirs.h).
std::string cache_dir();

struct CachedPackage {
  std::string dir;   // <cache>/<digest>
  std::string root;  // <cache>/<digest>/root: the package's tree at virtual paths
  bool extracted_now = false;
  // A shared lock on <digest>.lock, held while this value (or a forked copy of the
  // descriptor) lives: `appv cache prune` removes only entries whose lock it can take
  // exclusively, so a launch's tree stays while the launch (and the app, whose parent
  // it is) runs. Close-on-exec.
  UniqueFd in_use;
};

// Returns the cache entry for `package`, extracting it first if absent. Concurrent
// callers for one package extract it once: they serialise on <digest>.lock, and the
// entry is published by renaming a fully written and synced temporary directory.
// A crash mid-extraction leaves only a .tmp-<digest>-* directory, removed by the
// next extraction of that digest. The returned entry is held in use (`in_use`), and
// the lock file's modification time records this use (what `appv cache` shows as
// last used).
// An extraction reports its progress to `reporter`.
CachedPackage ensure_cached(const Package& package, const std::string& cache_root, Reporter& reporter = silent_reporter());

}  // namespace appv
