// A directory for files that no one but their owner may replace: a key pair, whose
// public half swapped for another's before it is handed out would make packages signed
// by that other trusted.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/unique_fd.h"

namespace appv {

// Opens `path` (links followed, as the files will be written where they lead;
// O_RDONLY | O_DIRECTORY) when no user but the caller and root can replace what the
// caller writes there: the directory and every directory above it, reached through
// ".." from the opened one (so the verdict is about the returned descriptor, whatever
// the path names later), must
//   - belong to the effective uid or to root, and
//   - be written by no one else: no write bit for others or for the group (even the
//     caller's own group, whose other members cannot be told without the name
//     service; the group bits are also a POSIX ACL's mask, so no ACL entry lets
//     another user or group write either) —
//     unless its sticky bit keeps others from entries that are the caller's (/tmp).
// With `make_missing`, a missing directory is made (0700, as are missing ones above
// it) below the nearest existing one, which is judged first: nothing is made under a
// directory that fails; a directory that appears meanwhile is judged before anything
// is made in it, and a failure removes what was made. Write to it with *at() calls
// on the returned descriptor; the directory must also be the caller's to write.
// Errors: Exit::CantCreate, "not writing WHAT into 'PATH': ..." naming the directory
// that fails and why; "'PATH' is not a directory"; or the failed call with errno.
struct PrivateDir {
  UniqueFd fd;
  // The directories made for it, each as its parent's descriptor and its name.
  std::vector<std::pair<UniqueFd, std::string>> made;
  // Removes them (if empty), innermost first: for a caller whose writing failed.
  void remove_made() noexcept;
};
PrivateDir open_private_dir(const std::string& path, std::string_view what, bool make_missing);

}  // namespace appv
