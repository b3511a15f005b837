// The view: what the app sees at each path, as isolation rules per path prefix, and
// the mount plan that realises it. Planning is pure (it asks a TreeProbe what exists),
// so `appv run --dry-run` and the unit tests see exactly what the backend will do.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "manifests/manifest.h"
#include "vfs/tree_index.h"

namespace appv {

// Where a rule came from. Logic asks the enum (is it a default? the user's own?);
// only people read the label.
enum class RuleOrigin {
  Default,          // DESIGN.md's system-wide defaults
  HomeDotfiles,     // $HOME itself: its dotfiles are the app's own copy
  HomeDocuments,    // a visible directory in $HOME
  XdgDir,           // an XDG base directory (Rule::detail names which)
  WorkingDir,       // the launch's working directory
  Manifest,         // the package's [isolation] table
  CommandLine,      // the user's --isolate
  InstallCapture,   // the installer's view (appv capture)
};

struct Rule {
  std::string prefix;
  Isolation mode;
  RuleOrigin origin;
  std::string detail;  // XdgDir: the variable's name, e.g. "XDG_CONFIG_HOME"
};

// True for the defaults appv chose (not the package's rules nor the user's).
bool is_default(RuleOrigin origin);
// "default", "default ($HOME: dotfiles)", "manifest", "--isolate", ... for --dry-run.
std::string origin_label(const Rule& rule);

// A rule that is not applied, and why: overridden by a user's --isolate at or above
// its prefix ("overridden by /home/u full (--isolate)"), or refused by policy.
struct SetAside {
  Rule rule;
  std::string why;
};

// Rules by prefix; a later rule for the same prefix replaces the earlier one and the
// longest matching prefix decides a path's mode.
class RuleSet {
 public:
  void set(const std::string& prefix, Isolation mode, RuleOrigin origin, std::string detail = {});
  // Sets the user's rule at `prefix` and drops every other rule at or below it that is
  // not the user's own (defaults, the manifest's): --isolate P=MODE covers all of P.
  void set_covering(const std::string& prefix, Isolation mode, RuleOrigin origin);
  // Records a rule that is not applied (shown by --dry-run).
  void set_aside(Rule rule, std::string why);
  const std::vector<SetAside>& set_aside() const { return set_aside_; }
  const Rule& lookup(const std::string& path) const;
  // The mode appv's defaults alone give `path` (writecopy if none covers it), also
  // where a manifest's rule has replaced the default at the same prefix.
  Isolation default_mode(const std::string& path) const;
  // Drops default rules that say what their parent rule already says (a documents
  // rule below a $HOME that a manifest made merged): they would only split mounts.
  void drop_redundant_defaults();
  const std::map<std::string, Rule>& rules() const { return rules_; }

 private:
  std::map<std::string, Rule> rules_;
  std::vector<SetAside> set_aside_;
  std::map<std::string, Rule> replaced_defaults_;  // defaults a later set() replaced
};

enum class NodeKind { Absent, Dir, File, Symlink, Other };
// The kind a tree's index letter names (vfs/tree_index.h): '\0' absent, a whiteout or
// anything else Other.
inline NodeKind indexed_kind(char letter) {
  return letter == 'd'   ? NodeKind::Dir
         : letter == 'f' ? NodeKind::File
         : letter == 'l' ? NodeKind::Symlink
         : letter == 0   ? NodeKind::Absent
                         : NodeKind::Other;
}
class TreeProbe;

// DESIGN.md's defaults: system trees writecopy (the "/" rule); /proc /dev /sys /run
// the host's; /home, /tmp, /media, /mnt merged; $HOME writecopy, so its dotfiles and
// config directories are the app's own, with each visible directory in it (Documents,
// Downloads, projects...) merged so users can save work; the XDG base directories
// writecopy wherever they are; the working directory merged unless it is $HOME.
// `user` holds HOME and XDG_* (manifests/tokens.h); `host` lists $HOME.
RuleSet default_rules(const std::map<std::string, std::string, std::less<>>& user, const std::string& cwd,
                      const TreeProbe& host);
// The host paths an administrator lets a package open (policy.toml's `host_paths`,
// vfs/trust.h), as written ("~" and $XDG_* not yet expanded), and the file they came from.
struct HostPathGrants {
  std::vector<std::string> prefixes;
  std::string origin;  // "/etc/appv/policy.toml", or "" when there is no policy
};

// Adds a manifest's (RuleOrigin::Manifest) or the command line's
// (RuleOrigin::CommandLine) rule, expanding "~", $HOME and $XDG_* in the prefix.
// Throws Exit::BadInput (manifest) or Exit::Usage (--isolate) if the result is not
// a clean absolute path.
// The command line's rule covers everything at and below its prefix (set_covering).
// A manifest rule that opens host paths (host or merged where the rules so far say
// writecopy or full) is applied only where `grants` covers its prefix; a rule at, in
// or above a sensitive path (~/.ssh, ~/.gnupg, /etc, /root, /var/lib, /proc, /sys,
// /dev) also needs that sensitive path (or, for a rule inside it, a path between)
// granted by name. With `host`, a host or merged prefix that is (or passes through) a
// link on the host is judged where the link leads as well. A refused rule is set
// aside: its prefix keeps the mode it had.
void add_rule(RuleSet& rules, const std::string& prefix, Isolation mode, RuleOrigin origin,
              const std::map<std::string, std::string, std::less<>>& user, const HostPathGrants& grants = {},
              const TreeProbe* host = nullptr);
// Why the manifest rule `prefix`=`mode` (expanded) may not be applied, or "".
std::string host_path_refusal(const RuleSet& rules, const std::string& prefix, Isolation mode,
                              const std::map<std::string, std::string, std::less<>>& user, const HostPathGrants& grants);
// Parses "PREFIX=MODE" (from --isolate), tokens still in PREFIX. Throws Exit::Usage.
Rule parse_rule_arg(const std::string& text);

// Read-only questions about a tree (the host's "/" or an extracted package root).
class TreeProbe {
 public:
  virtual ~TreeProbe() = default;
  virtual NodeKind kind(const std::string& path) const = 0;  // does not follow a final symlink
  virtual std::vector<std::string> list(const std::string& dir) const = 0;  // names, sorted
  virtual std::string read_link(const std::string& path) const = 0;
  // Paths whose kind could not be asked (a mount that did not answer in time), taken as
  // absent: for the launch's notices.
  virtual std::vector<std::string> unanswered() const { return {}; }
};

// A TreeProbe over a real directory: paths are virtual, looked up below `root`.
class DiskTree final : public TreeProbe {
 public:
  explicit DiskTree(std::string root) : root_(std::move(root)) {}
  // What a path is, looked at once per tree: a plan asks again for the same
  // directories (each rule's parents), and a tree is planned against as it was.
  NodeKind kind(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string read_link(const std::string& path) const override;
  std::vector<std::string> unanswered() const override { return unanswered_; }
  // The kinds of these mount points (the host's, from mountinfo) are asked with a
  // timeout (base/bounded_stat.h): one that does not answer within `timeout_ms` (a
  // hung NFS or FUSE file system) is absent and listed by unanswered(), and nothing
  // below it is looked at (absent, listed as empty).
  void ask_mounts_within(const std::vector<std::string>& mount_points, int timeout_ms);
  // The tree's index (vfs/tree_index.h: an extracted package's): kind() asks it
  // instead of the disk.
  void use_index(std::shared_ptr<const TreeIndex> index) { index_ = std::move(index); }

 private:
  std::string real(const std::string& path) const { return root_ == "/" ? path : root_ + path; }
  // Whether `path` lies below (or, with `or_at`, at) a mount point asked with a timeout
  // that did not answer; the mount point is asked first.
  bool below_unanswered(const std::string& path, bool or_at = false) const;
  // Whether `dir` is at or below a mount point asked with a timeout (ask_mounts_within).
  bool below_mount_asked(const std::string& dir) const;
  std::string root_;
  mutable std::unordered_map<std::string, NodeKind> kinds_;
  // Directories listed whole, and every path a listing named: a name a listed
  // directory did not hold is absent without an lstat (a launch asks the package's
  // top directory for each of the host's).
  mutable std::unordered_set<std::string> listed_dirs_;
  mutable std::unordered_set<std::string> listed_paths_;
  std::unordered_set<std::string> mount_points_;
  std::shared_ptr<const TreeIndex> index_;
  int mount_timeout_ms_ = 0;
  mutable std::vector<std::string> unanswered_;
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

// One entry of a split directory's own layer (MountOp::Type::Split): a name directly in
// it, and what stands there:
// - Dir: the mount point of a host directory a later op places;
// - Symlink: the host's link, recreated (`link` is its text);
// - File with `source`: the host's regular file `source`, copied into the layer when
//   small (redirect/mounts.cpp says how small), so the app's writes copy it up into
//   its sandbox as anywhere in writecopy; bound read-only over its place otherwise;
// - File without `source`: the mount point of a host socket or file a later op binds.
struct SplitEntry {
  std::string name;
  NodeKind kind = NodeKind::Dir;  // Dir, File or Symlink
  std::string link;
  std::string source;
};

// One step of the plan. Targets are paths in the new root; sources, lowers, uppers
// and workdirs are host paths. Made by the named constructors below.
struct MountOp {
  // Dir: a mount point created in the new root. Symlink: a link (`source` is its text).
  // Bind: the host's `source` at `target`; for a non-directory (a socket, a file) an
  // empty file is created as its mount point when the view has none there.
  // BindReadOnly: the host's tree, recursively read-only.
  // Overlay: `lowers` (top first) under `upper`, with `work` as scratch.
  // Hide: an empty read-only tmpfs over a directory the app must not see (appv's own
  // sandboxes). HideFile: an empty read-only file (nodev, nosuid, noexec) over a file
  // the app must not see (a kernel file bound onto one: a sysctl, a terminal).
  // Proc: a new proc for the app's own PID namespace, its kernel-wide files (/proc/sys,
  // /proc/sysrq-trigger, /proc/irq, /proc/bus) read-only, as bubblewrap's --proc does.
  // Tmpfs: an empty writable tmpfs (`source` holds its options, e.g. "mode=0755"):
  // the minimal /dev and its /dev/shm.
  // Devpts: a new instance of devpts (the app's own pseudo-terminals; the host's other
  // terminals are not in it), as bubblewrap's --dev does.
  // HostState: the host's file or directory `source` (symlinks resolved), read-only,
  // nodev, nosuid, noexec, at `target`, a path whose parent is in an overlay or in the
  // sandbox (never the host's own tree). Whatever the view has at `target` (the
  // host's link, the package's file, nothing) is replaced by a mount point of the
  // source's kind in the sandbox's upper layer first: a mount would follow a link.
  // HostLink: a link (`source` is its text) that is host state (/etc/mtab), made
  // like HostState's mount point, replacing what the view has at `target`.
  // Split: a writecopy directory whose host directory has mounts below it, which no
  // overlay shows (nor may have, in a user namespace): a fresh tmpfs at `target`
  // holding `entries`, with `lowers` (the package's directory, or none) over it and
  // `upper` on top, overlaid at `target`; the `placed` ops that follow place the
  // host's directories (and sockets) on their mount points one by one.
  enum class Type { Dir, Symlink, Bind, Overlay, Hide, HideFile, BindReadOnly, Proc, Tmpfs, Devpts, Split, HostState, HostLink };
  Type type;
  std::string target;
  std::string source;               // Bind, BindReadOnly: host path; Symlink: link text; Tmpfs: options
  std::vector<std::string> lowers;  // Overlay, Split: top first
  std::string upper, work;          // Overlay, Split
  std::string why;                  // the rule that produced it, for --dry-run
  std::vector<SplitEntry> entries;  // Split: its own layer, below `lowers`
  // Split: how many of the ops right after it place its host entries (on its own
  // layer, before its overlay is mounted: see redirect/mounts.cpp).
  size_t placed = 0;
  // Bind of a host tree or file a rule places: `source` is where the host's links led
  // when the plan was made (the path the policy judged), and it is bound exactly: a
  // link that appears on its way before the mount is refused, not followed.
  bool exact = false;

  static MountOp dir(std::string target, std::string why);
  static MountOp symlink(std::string target, std::string text, std::string why);
  static MountOp bind(std::string target, std::string host_path, std::string why);
  static MountOp bind_exact(std::string target, std::string resolved_host_path, std::string why);
  static MountOp bind_read_only(std::string target, std::string host_path, std::string why);
  static MountOp overlay(std::string target, std::vector<std::string> lowers, std::string upper, std::string work,
                         std::string why);
  static MountOp hide(std::string target, std::string why);
  static MountOp hide_file(std::string target, std::string why);
  static MountOp proc(std::string target, std::string why);
  static MountOp tmpfs(std::string target, std::string options, std::string why);
  static MountOp devpts(std::string target, std::string why);
  static MountOp host_state(std::string target, std::string host_path, std::string why);
  static MountOp host_link(std::string target, std::string text, std::string why);
  static MountOp split(std::string target, std::vector<std::string> lowers, std::vector<SplitEntry> entries,
                       std::string upper, std::string work, std::string why);
};

struct Layout {
  std::string package_root;  // host path of the extracted package tree
  std::string sandbox;       // host path of the app's sandbox
  // Host directories hidden in the view when it would show them (the sandboxes of
  // every app: private, and the kernel refuses lookups into an overlay's own upper
  // directory when that lies inside one of its lower trees).
  std::vector<std::string> hidden;
  // The host's mount points. An overlay's lower layer is one mount: it shows none of
  // the mounts below it (the empty directories under them instead), and inside a user
  // namespace, which inherits them locked, the kernel refuses such a lower outright.
  // So the plan splits a tree with one below its top around it (MountOp::Type::Split).
  std::vector<std::string> host_mounts;
  // Writecopy directories whose entries are checked for host symlinks leading into a
  // merged or host path ($HOME and the XDG base directories; their top level only).
  std::vector<std::string> link_scan_dirs;
  // Those of the host's mount points whose file system is the kernel's own (proc,
  // sysfs, cgroup, devpts, ...) and which are out of their place (a procfs outside
  // /proc, ...: redirect/mounts.h read_mount_points): one that a writecopy, merged or
  // host tree would show is hidden (an empty read-only tmpfs over a directory, an
  // empty read-only file over a file), as none is safe to show the app
  // (Planner::hide_kernel_mounts says why).
  std::vector<std::string> kernel_mounts;
};

// A file the app gets its own copy of in the sandbox's upper directory before the
// view is built (vfs/copy_up.h): a host file it sees through a symlink in a writecopy
// directory, copied to the link's place, so the app's writes there change its copy and
// not the host's file; or the file a `full` rule names where it lies in a merged or
// host tree, bound from there: the package's file copied, or (`from` empty) an empty
// file, never the host's.
struct CopyUp {
  std::string from;  // host path, symlinks resolved; empty: an empty file
  std::string to;    // host path in the sandbox's upper directory
  std::string why;
};

// An overlay whiteout (a character device 0:0) the launch makes in the sandbox's
// upper directory where nothing is there yet: a `full` rule on a file in a tree whose
// upper directory is the sandbox's ($HOME's dotfiles) hides the host's file this way,
// and what the app writes there replaces the whiteout, as overlayfs does after a
// deletion (vfs/sandbox.h make_plan_whiteouts).
struct Whiteout {
  std::string path;  // host path in the sandbox's upper directory
  std::string why;
};

struct Plan {
  std::vector<MountOp> ops;
  std::vector<std::string> dirs_to_create;  // sandbox upper and work directories
  std::vector<CopyUp> copy_ups;             // after dirs_to_create, before any mount
  std::vector<Whiteout> whiteouts;          // after dirs_to_create, before any mount
  std::vector<std::string> notes;           // what was skipped, and why
  // The layout's host mounts, so a refused overlay can name the mount below its lower.
  std::vector<std::string> host_mounts;
};

Plan make_plan(const RuleSet& rules, const TreeProbe& host, const TreeProbe& package, const Layout& layout);
// The mount that covers `path` in `ops`: the deepest op at or above it (of two at one
// target, the later; Dir ops, mere mount points, do not count), or nullptr.
const MountOp* covering_mount(const std::vector<MountOp>& ops, const std::string& path);
std::string format_plan(const RuleSet& rules, const Plan& plan);

}  // namespace appv
