// The view: what the app sees at each path, as isolation rules per path prefix, and
// the mount plan that realises it. Planning is pure (it asks a TreeProbe what exists),
// so `appv run --dry-run` and the unit tests see exactly what the backend will do.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "manifests/manifest.h"

namespace appv {

struct Rule {
  std::string prefix;
  Isolation mode;
  std::string origin;  // "default", "manifest", "--isolate"
};

// Rules by prefix; a later rule for the same prefix replaces the earlier one and the
// longest matching prefix decides a path's mode.
class RuleSet {
 public:
  void set(const std::string& prefix, Isolation mode, const std::string& origin);
  const Rule& lookup(const std::string& path) const;
  const std::map<std::string, Rule>& rules() const { return rules_; }

 private:
  std::map<std::string, Rule> rules_;
};

// DESIGN.md's defaults: system trees writecopy (the "/" rule), the user's home,
// /home, /tmp, /media, /mnt and the working directory merged, /proc /dev /sys /run
// the host's.
RuleSet default_rules(const std::string& home, const std::string& cwd);
// Parses "PREFIX=MODE" (from --isolate). Throws Exit::Usage.
Rule parse_rule_arg(const std::string& text);

enum class NodeKind { Absent, Dir, File, Symlink, Other };

// Read-only questions about a tree (the host's "/" or an extracted package root).
class TreeProbe {
 public:
  virtual ~TreeProbe() = default;
  virtual NodeKind kind(const std::string& path) const = 0;  // does not follow a final symlink
  virtual std::vector<std::string> list(const std::string& dir) const = 0;  // names, sorted
  virtual std::string read_link(const std::string& path) const = 0;
};

// A TreeProbe over a real directory: paths are virtual, looked up below `root`.
class DiskTree final : public TreeProbe {
 public:
  explicit DiskTree(std::string root) : root_(std::move(root)) {}
  NodeKind kind(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string read_link(const std::string& path) const override;

 private:
  std::string real(const std::string& path) const { return root_ == "/" ? path : root_ + path; }
  std::string root_;
};

// A TreeProbe held in memory: built from a package listing (for --dry-run before
// the package is extracted) or by tests.
class MemoryTree final : public TreeProbe {
 public:
  void add(const std::string& path, NodeKind kind, const std::string& link = {});
  NodeKind kind(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string read_link(const std::string& path) const override;

 private:
  struct Node {
    NodeKind kind = NodeKind::Dir;
    std::string link;
    std::vector<std::string> children;  // kept sorted
  };
  std::map<std::string, Node> nodes_{{"/", Node{}}};
};

// Follows symlinks inside `tree` the way the kernel would inside a chroot at its root,
// returning the symlink-free path, or "" if it loops or dangles.
std::string resolve_in_tree(const TreeProbe& tree, const std::string& path);

// One step of the plan. Targets are paths in the new root; sources, lowers, uppers
// and workdirs are host paths.
struct MountOp {
  enum class Type { Dir, Symlink, Bind, Overlay };
  Type type;
  std::string target;
  std::string source;               // Bind: host path; Symlink: link text
  std::vector<std::string> lowers;  // Overlay: top first
  std::string upper, work;          // Overlay
  std::string why;                  // the rule that produced it, for --dry-run
};

struct Layout {
  std::string package_root;  // host path of the extracted package tree
  std::string sandbox;       // host path of the app's sandbox
};

struct Plan {
  std::vector<MountOp> ops;
  std::vector<std::string> dirs_to_create;  // sandbox upper and work directories
  std::vector<std::string> notes;           // what was skipped, and why
};

Plan make_plan(const RuleSet& rules, const TreeProbe& host, const TreeProbe& package, const Layout& layout);
std::string format_plan(const RuleSet& rules, const Plan& plan);

}  // namespace appv
