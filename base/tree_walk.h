// Removing and measuring directory trees that someone else shapes: a sandbox an app
// writes (maybe while appv removes it), a package's extracted tree, an import's
// staging. Both walk by descriptors, as GNU rm's fts does, so nothing planted in the
// tree leads them out of it (DESIGN.md, invariant 8):
//   - each directory is opened from its parent's descriptor with O_NOFOLLOW: a link,
//     also one swapped in for a directory mid-walk, is an entry to unlink, never a
//     way somewhere else;
//   - no full path is handed to the kernel, so a tree deeper than PATH_MAX is walked
//     like any other;
//   - a directory on another mount than the tree's top is never entered;
//   - only the current directory is open, with the (device, inode) of each ancestor
//     remembered: the way up is openat("..") checked against them, so a directory
//     moved elsewhere mid-walk stops the walk instead of leading it there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace appv {

// rm -rf of `path`: a directory with everything below it, or any other file. Missing
// is fine. A directory whose owner lacks rwx on it (mode 0000, a read-only package
// directory) is made 0700 before it is read, through an O_PATH descriptor of that very
// inode. Links are removed, never followed. The parent of `path` is trusted (appv's
// own directory: links in it are followed).
// Errors (Exit::Io), with the path of what failed (long paths shortened in the
// message, whole in Error::path()): "cannot remove", "cannot open", "cannot list"
// with errno; "... is a mount point" when a directory in the tree (or the tree
// itself) is on another file system or mount than the directory holding the tree
// (nothing below it was touched); "... was moved while appv removed it" when a
// directory's parent is no longer the one it was entered from (something else is
// writing the tree). What was removed before an error stays removed.
void remove_tree(const std::string& path);
// The same for the entry `name` of the directory open as `dir_fd` (any open mode,
// O_PATH included); `shown_dir` names that directory in messages.
void remove_tree_at(int dir_fd, const std::string& name, const std::string& shown_dir);
// remove_tree for a cleanup that runs while an error travels (a ScopeGuard's, which
// must not throw): its own failure is dropped, and what it could not remove stays.
void remove_tree_quietly(const std::string& path) noexcept;

// Opens the directory `name` in `dir_fd` to remove entries in it, as remove_tree
// would (never through a link, not on another mount, made 0700 first when its owner
// lacks rwx). Returns an empty descriptor if nothing is there. Throws as remove_tree,
// and Error(Exit::Io) with err ENOTDIR when `name` is not a directory.
UniqueFd open_dir_for_removal(int dir_fd, const std::string& name, const std::string& shown_dir);
// The names in the directory open as `dir_fd` (no "." or ".."), unsorted; `shown`
// names it in messages. Errors: "cannot list" (Exit::Io).
std::vector<std::string> entry_names(int dir_fd, const std::string& shown);

// Total bytes of the regular files below `dir` (not following links, not crossing
// mounts) that the caller can see: directories it may not read or search are
// counted as empty, and a walk that finds a directory moved stops with what it
// counted. 0 when `dir` is missing or not a directory. Never throws for what is in
// the tree.
uint64_t tree_bytes(const std::string& dir);

}  // namespace appv
