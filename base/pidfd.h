// A process named by a descriptor rather than a pid, which may be reused.
#pragma once

#include <sys/types.h>

#include "base/unique_fd.h"

namespace appv {

// A pidfd of `pid` (pidfd_open, Linux 5.3): polls readable once the process has
// exited. Empty on failure (errno set).
UniqueFd open_pidfd(pid_t pid);

}  // namespace appv
