// Where the symbolic links of a tree lead once followed one through another, the way
// the kernel resolves them, without touching the file system: the check that makes
// extraction and sandbox import refuse a chain of links that each look harmless
// (`a/up -> ..`, then `a/e1 -> up/..`) but together climb out of the tree.
//
// Paths are relative to the tree's root, '/'-separated, without '.' or '..'
// components ("usr/lib64/ld.so"). Targets are the links' text: a relative target
// starts from the link's directory, an absolute one from the tree's root (as a
// chroot, or the app's view, reads it).
#pragma once

#include <string>
#include <unordered_map>

namespace appv {

class LinkChains {
 public:
  // The kernel's limit on links followed in one lookup (MAXSYMLINKS).
  static constexpr int kMaxHops = 40;

  void add(const std::string& path, const std::string& target) { links_[path] = target; }
  bool empty() const { return links_.empty(); }
  // The target of a link added before.
  const std::string& target(const std::string& path) const { return links_.at(path); }

  // Why following the link at `path` (one added before) would leave the tree, or
  // loop, or "" when every step of its chain stays inside. A step through a path
  // that is not a link (a missing one, a file) is taken as a directory: the most
  // the kernel would allow.
  std::string escape_reason(const std::string& path) const;

  // The first link (in path order) whose chain escapes, with its reason; empty
  // strings when there is none.
  std::pair<std::string, std::string> first_escape() const;

 private:
  std::unordered_map<std::string, std::string> links_;
};

}  // namespace appv
