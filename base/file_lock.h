// appv's one file lock: an exclusive flock(2) on a lock file (the cache's
// <digest>.lock, a sandbox's .lock, an installation's sync.lock).
#pragma once

#include <string>

#include "base/unique_fd.h"

namespace appv {

enum class LockWait {
  Block,  // wait for the holder to let go
  Try,    // give up at once if someone holds it
};

// Opens `path` (created with `mode` if missing; O_RDWR|O_CLOEXEC|O_NOFOLLOW, so a symlink
// planted there is refused, and a launched app does not inherit the lock) and takes an
// exclusive flock. Block retries EINTR; Try returns an empty UniqueFd when the lock is
// held elsewhere. The lock lasts as long as the returned descriptor.
// Errors (Exit::Io): "cannot open lock 'PATH'", "cannot lock 'PATH'" with errno.
UniqueFd lock_file(const std::string& path, unsigned mode, LockWait wait);

}  // namespace appv
