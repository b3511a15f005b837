// Opening a path inside a directory tree that someone else controls (a package's
// extracted tree, a sandbox the app writes, an imported archive's staging), so that
// nothing planted there leads appv's own file operations out of it (DESIGN.md,
// invariant 8).
//
// Both ways use openat2(2) (Linux >= 5.6) and, where it is missing (ENOSYS), an
// explicit walk that opens one component at a time with O_NOFOLLOW and reads each
// link itself, so that the kernel never follows one on appv's behalf:
//   InRoot      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: the directory is "/" for
//               the lookup, as in a chroot or the app's view. '..' stops at it,
//               absolute links start from it; /proc magic links are refused (the
//               walk reads them as plain text, which is just as contained).
//   NoSymlinks  RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: no link anywhere on the
//               path (ELOOP), no '..' above the directory and no absolute path (EXDEV).
#pragma once

#include <sys/types.h>

#include <deque>
#include <string>

#include "base/unique_fd.h"

namespace appv {

enum class Resolve { InRoot, NoSymlinks };

// openat(2) of `path` below the directory `dir_fd`, resolved as `how` says. `flags`
// are open(2) flags (O_CLOEXEC is added); `mode` counts with O_CREAT only. Returns the
// new descriptor, or -1 with errno set (ELOOP, EXDEV, ENOENT, ...), like the syscall.
int openat_resolved(int dir_fd, const std::string& path, int flags, Resolve how, mode_t mode = 0);

// The component walk used when openat2 is missing; exposed so tests cover it on
// kernels that have openat2. Same contract.
int openat_resolved_walk(int dir_fd, const std::string& path, int flags, Resolve how, mode_t mode = 0);

// The same, throwing Error(status, "cannot open 'ROOT/PATH': <errno text>") where
// `root_name` is the directory's name for messages.
UniqueFd open_resolved(int dir_fd, const std::string& root_name, const std::string& path, int flags, Resolve how,
                       mode_t mode = 0);

// Puts the components of `path` (split at '/', empty ones dropped) in front of
// `pending`, in their order: the queue a component-by-component resolver consumes
// (a link's target goes in front of what was left of the path).
void push_path_components(std::deque<std::string>& pending, const std::string& path);

}  // namespace appv
