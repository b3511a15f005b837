// What each entry of an extracted package is, written beside the tree when it is
// extracted (CACHE/<digest>/.appv/tree, vfs/layout.h) and read by the namespace-free
// backend's translator (vfs/path_translator.h), which then looks a name up in the
// package's layer in memory instead of with an lstat: the tree never changes once it
// is published, and a lookup that reaches the package's layer is one of every two
// or three a launch and a walk like `find` make.
//
// Format: one line per entry below the root, "K /path\n", K one of d (directory), f
// (regular file), l (symlink), w (whiteout: a 0/0 character device), o (anything
// else), the path relative to the tree's root with a leading '/', lines sorted
// bytewise by path. A tree holding a name with a newline gets no index (its lookups
// go to the disk, as for a tree extracted before indexes were written).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>


namespace appv {

// Walks the tree at `root` (links not followed, kinds from the directory entries, an
// lstat only where the file system gives none or for a character device) and writes
// its index to `out` (created, not replaced: O_EXCL). Returns false, writing nothing,
// when a name cannot be written (a newline in it). Throws Error (Exit::Io) with the
// path and errno if the tree cannot be read or `out` written.
bool write_tree_index(const std::string& root, const std::string& out);

// A tree's index, read into memory.
class TreeIndex {
 public:
  // The index at `file`, read whole; nullopt if it is absent, unreadable, not the
  // caller's own (owner, no group or other write) or not an index (its first and last
  // bytes are checked, not every line: it is appv's own file in the user's own cache,
  // written with the tree it describes). Believed as the tree is, and more: a lookup
  // descends through what it calls a directory without looking, so whoever may write
  // the cache (the user; an app only if granted the host's cache, `host` isolation
  // over it) may lead the ptrace backend's supervisor through a link there.
  static std::optional<TreeIndex> open(const std::string& file);

  // The kind letter of `path` ("/usr/lib", below the root), or '\0' if the tree has
  // no such entry. A binary search over the lines: no system call.
  char find(std::string_view path) const;

 private:
  explicit TreeIndex(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// The index of the cache entry whose tree is `package_root` (<cache>/<digest>/root),
// null if it has none (or one open() refuses). Read once per process and package: a
// launch plans with it and its ptrace supervisor, forked later, translates with it.
std::shared_ptr<const TreeIndex> package_tree_index(const std::string& package_root);

}  // namespace appv
