// The system calls the namespace-free backend redirects, and how each names its
// paths: which argument holds a directory fd, which the path, what the call will do
// with it (vfs/path_translator.h Intent) and whether a final link is followed.
// Pure: the caller supplies the arguments (and, for openat2, the flags it read).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/tracing.h"
#include "vfs/path_translator.h"

namespace appv {

// How the supervisor handles the call beyond translating its path arguments.
enum class PathCallKind {
  Plain,     // translate the path arguments, let the kernel do the call
  Exec,      // execve: run the view's loader on the translated program (redirect/exec_rewrite.h)
  Readlink,  // readlink(at): /proc/self/exe answered with the program's view path
  Getcwd,    // getcwd: answered with the view path of the working directory
  Rename,    // rename(at)(2): done by the supervisor (copy-up, whiteout at the source)
  Link,      // link(at): the new name created in the view, the old one copied up
  FdWrite,   // fchmod, fchown, fsetxattr, futimens...: a change through a descriptor,
             // refused (EROFS) when it names a file of a layer the app may not change
             // (fchownat with AT_EMPTY_PATH: `paths` holds its path, translated as a
             // Plain call's when it is not empty)
  Socket,    // bind, connect, sendto: a struct sockaddr_un at `paths[0].path_arg`, its
             // length at `len_arg` (redirect/socket_paths.h); other families pass
  SocketName,  // getsockname, getpeername (fd, addr, addrlen): a unix socket's address
               // answered with the view path of the host path the kernel names
};

struct PathArg {
  int dirfd_arg = -1;  // -1: relative to the working directory
  int path_arg = 0;
  Intent intent = Intent::Lookup;
  bool follow = true;
};

struct PathCall {
  PathCallKind kind = PathCallKind::Plain;
  std::vector<PathArg> paths;
  int mode_arg = -1;  // mkdir's mode, for a directory the translator makes itself
  int fd_arg = -1;    // FdWrite: the descriptor
  int len_arg = -1;   // Socket: the address's length
};

// The calls the filter stops (base/tracing.h), with fstat-like AT_EMPTY_PATH calls
// let through, and sendto only with a destination address. Those marked `notify` (open, openat, stat, lstat, newfstatat, statx,
// access, faccessat(2), readlink(at), getcwd, getsockname, getpeername) are served as user notifications
// (redirect/notified_calls.cpp) when the filter has a listener.
const std::vector<StoppedCall>& redirected_calls();

// How the call `nr` with arguments `args` names its paths; nullopt for a call that is
// not redirected. `open_how_flags`: openat2's flags, read from its struct open_how.
std::optional<PathCall> describe_path_call(long nr, const uint64_t (&args)[6], uint64_t open_how_flags = 0);

}  // namespace appv
