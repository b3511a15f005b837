// appv's one file lock: a flock(2) on a lock file (the cache's <digest>.lock, a
// sandbox's .lock, an installation's sync.lock).
#pragma once

#include <string>

#include "base/unique_fd.h"

namespace appv {

enum class LockWait {
  Block,  // wait for the holder to let go
  Try,    // give up at once if someone holds it
};

enum class LockKind {
  Exclusive,  // one holder: an extraction, a removal, a launch entering a sandbox
  Shared,     // many holders, none exclusive: launches using a cache entry
};

// Opens `path` (created with `mode` if missing; O_RDWR|O_CLOEXEC|O_NOFOLLOW, so a symlink
// planted there is refused, and a launched app does not inherit the lock) and takes a
// flock of `kind`. Block retries EINTR; Try returns an empty UniqueFd when the lock is
// held elsewhere in a conflicting way. The lock lasts as long as the returned
// descriptor (and its copies in forked children).
// A lock file may be removed by its holder (`appv cache prune` removes the locks of
// entries it removed, `sandbox rm` the sandbox's): a lock taken on a file that is no
// longer at `path` once granted is let go and taken again on the file there now, so
// two holders never hold locks on different files of one name.
// Errors (Exit::Io): "cannot open lock 'PATH'", "cannot lock 'PATH'" with errno.
UniqueFd lock_file(const std::string& path, unsigned mode, LockWait wait, LockKind kind = LockKind::Exclusive);

}  // namespace appv
