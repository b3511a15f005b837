#include "vfs/view.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "base/bounded_stat.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "manifests/paths.h"
#include "manifests/tokens.h"
#include "vfs/layout.h"

namespace appv {

bool is_default(RuleOrigin origin) {
  switch (origin) {
    case RuleOrigin::Default:
    case RuleOrigin::HomeDotfiles:
    case RuleOrigin::HomeDocuments:
    case RuleOrigin::XdgDir:
    case RuleOrigin::WorkingDir: return true;
    case RuleOrigin::Manifest:
    case RuleOrigin::CommandLine:
    case RuleOrigin::InstallCapture: return false;
  }
  return false;
}

std::string origin_label(const Rule& rule) {
  switch (rule.origin) {
    case RuleOrigin::Default: return "default";
    case RuleOrigin::HomeDotfiles: return "default ($HOME: dotfiles)";
    case RuleOrigin::HomeDocuments: return "default ($HOME: documents)";
    case RuleOrigin::XdgDir: return fmt::format("default (${})", rule.detail);
    case RuleOrigin::WorkingDir: return "default (working directory)";
    case RuleOrigin::Manifest: return "manifest";
    case RuleOrigin::CommandLine: return "--isolate";
    case RuleOrigin::InstallCapture: return "install capture";
  }
  return "?";
}

MountOp MountOp::dir(std::string target, std::string why) {
  return {Type::Dir, std::move(target), {}, {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::symlink(std::string target, std::string text, std::string why) {
  return {Type::Symlink, std::move(target), std::move(text), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::bind(std::string target, std::string host_path, std::string why) {
  return {Type::Bind, std::move(target), std::move(host_path), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::bind_exact(std::string target, std::string resolved_host_path, std::string why) {
  return {Type::Bind, std::move(target), std::move(resolved_host_path), {}, {}, {}, std::move(why), {}, 0, true};
}
MountOp MountOp::bind_read_only(std::string target, std::string host_path, std::string why) {
  return {Type::BindReadOnly, std::move(target), std::move(host_path), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::overlay(std::string target, std::vector<std::string> lowers, std::string upper, std::string work,
                         std::string why) {
  return {Type::Overlay, std::move(target), {}, std::move(lowers), std::move(upper), std::move(work), std::move(why), {}, 0, false};
}
MountOp MountOp::hide(std::string target, std::string why) {
  return {Type::Hide, std::move(target), {}, {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::hide_file(std::string target, std::string why) {
  return {Type::HideFile, std::move(target), {}, {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::proc(std::string target, std::string why) {
  return {Type::Proc, std::move(target), {}, {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::devpts(std::string target, std::string why) {
  return {Type::Devpts, std::move(target), {}, {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::host_state(std::string target, std::string host_path, std::string why) {
  return {Type::HostState, std::move(target), std::move(host_path), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::host_link(std::string target, std::string text, std::string why) {
  return {Type::HostLink, std::move(target), std::move(text), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::tmpfs(std::string target, std::string options, std::string why) {
  return {Type::Tmpfs, std::move(target), std::move(options), {}, {}, {}, std::move(why), {}, 0, false};
}
MountOp MountOp::split(std::string target, std::vector<std::string> lowers, std::vector<SplitEntry> entries,
                       std::string upper, std::string work, std::string why) {
  return {Type::Split, std::move(target), {}, std::move(lowers), std::move(upper), std::move(work), std::move(why),
          std::move(entries), 0, false};
}

void RuleSet::set(const std::string& prefix, Isolation mode, RuleOrigin origin, std::string detail) {
  if (auto it = rules_.find(prefix); it != rules_.end() && is_default(it->second.origin) && !is_default(origin)) {
    replaced_defaults_.insert(*it);
  }
  rules_[prefix] = Rule{prefix, mode, origin, std::move(detail)};
}

void RuleSet::set_covering(const std::string& prefix, Isolation mode, RuleOrigin origin) {
  const Rule cover{prefix, mode, origin, {}};
  const std::string why = fmt::format("overridden by {} {} ({})", prefix, to_string(mode), origin_label(cover));
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (path_has_prefix(it->first, prefix) && it->second.origin != origin) {
      set_aside_.push_back({it->second, why});
      it = rules_.erase(it);
    } else {
      ++it;
    }
  }
  rules_[prefix] = cover;
}

Isolation RuleSet::default_mode(const std::string& path) const {
  const Rule* best = nullptr;
  for (const auto* rules : {&rules_, &replaced_defaults_}) {
    for (const auto& [prefix, rule] : *rules) {
      if (is_default(rule.origin) && path_has_prefix(path, prefix) && (!best || prefix.size() > best->prefix.size())) best = &rule;
    }
  }
  return best ? best->mode : Isolation::WriteCopy;
}

void RuleSet::set_aside(Rule rule, std::string why) { set_aside_.push_back({std::move(rule), std::move(why)}); }

const Rule& RuleSet::lookup(const std::string& path) const {
  const Rule* best = nullptr;
  for (const auto& [prefix, rule] : rules_) {
    if (path_has_prefix(path, prefix) && (!best || prefix.size() > best->prefix.size())) best = &rule;
  }
  if (!best) throw Error(Exit::Internal, fmt::format("no isolation rule covers '{}'", path));
  return *best;
}

void RuleSet::drop_redundant_defaults() {
  for (auto it = rules_.begin(); it != rules_.end();) {
    const Rule& r = it->second;
    const Rule* parent = nullptr;
    for (const auto& [prefix, other] : rules_) {
      if (prefix != r.prefix && path_has_prefix(r.prefix, prefix) && (!parent || prefix.size() > parent->prefix.size())) {
        parent = &other;
      }
    }
    if (parent && parent->mode == r.mode && is_default(r.origin)) it = rules_.erase(it);
    else ++it;
  }
}

RuleSet default_rules(const std::map<std::string, std::string, std::less<>>& user, const std::string& cwd,
                      const TreeProbe& host) {
  RuleSet r;
  r.set("/", Isolation::WriteCopy, RuleOrigin::Default);
  for (const char* p : {"/proc", "/dev", "/sys", "/run"}) r.set(p, Isolation::Host, RuleOrigin::Default);
  for (const char* p : {"/home", "/tmp", "/media", "/mnt"}) r.set(p, Isolation::Merged, RuleOrigin::Default);
  auto dir = [&](const char* name) -> std::string {
    auto it = user.find(name);
    if (it == user.end()) return {};
    std::string p = normalize_absolute(it->second);
    return p == "/" ? std::string() : p;
  };
  const std::string home = dir("HOME");
  if (!home.empty() && r.lookup(home).mode != Isolation::Host) {
    r.set(home, Isolation::WriteCopy, RuleOrigin::HomeDotfiles);
    for (const std::string& name : host.list(home)) {
      if (name[0] != '.' && host.kind(home + "/" + name) == NodeKind::Dir) {
        r.set(home + "/" + name, Isolation::Merged, RuleOrigin::HomeDocuments);
      }
    }
  }
  for (const char* xdg : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"}) {
    const std::string p = dir(xdg);
    if (!p.empty() && r.lookup(p).mode == Isolation::Merged) r.set(p, Isolation::WriteCopy, RuleOrigin::XdgDir, xdg);
  }
  // The working directory is merged so files the app writes there reach the user,
  // unless it is $HOME itself (which would undo the dotfiles rule) or above it.
  if (is_clean_absolute(cwd) && cwd != "/" && !(home.size() && path_has_prefix(home, cwd))) {
    Isolation mode = r.lookup(cwd).mode;
    if (mode != Isolation::Host && mode != Isolation::Merged) r.set(cwd, Isolation::Merged, RuleOrigin::WorkingDir);
  }
  return r;
}

namespace {

// Host trees no package gets read-write from a policy line that does not name them.
// /proc, /sys and /dev are the kernel's: the launch narrows them (a new proc, /sys
// read-only, the granted devices), and a package's rule below them would bring back
// what that took away (a root launch writing /proc/sys/kernel/core_pattern).
std::vector<std::string> sensitive_paths(const std::map<std::string, std::string, std::less<>>& user) {
  std::vector<std::string> out{"/etc", "/root", "/var/lib", "/proc", "/sys", "/dev"};
  if (auto it = user.find("HOME"); it != user.end() && is_clean_absolute(it->second) && it->second != "/") {
    out.push_back(it->second + "/.ssh");
    out.push_back(it->second + "/.gnupg");
  }
  return out;
}

}  // namespace

std::string host_path_refusal(const RuleSet& rules, const std::string& prefix, Isolation mode,
                              const std::map<std::string, std::string, std::less<>>& user, const HostPathGrants& grants) {
  if (mode != Isolation::Host && mode != Isolation::Merged) return {};
  // Compared with what appv's defaults say there, not the manifest's own rules: a
  // manifest's /tmp=full does not make its /tmp/.X11-unix/X0=host an opening.
  const Isolation before = rules.default_mode(prefix);
  const std::vector<std::string> sensitive = sensitive_paths(user);
  bool touches_sensitive = false;
  for (const std::string& s : sensitive) touches_sensitive = touches_sensitive || path_has_prefix(prefix, s) || path_has_prefix(s, prefix);
  // Host over merged shows the same host files; only a looser mode opens anything.
  if ((before == Isolation::Host || before == Isolation::Merged) && !touches_sensitive) return {};
  std::vector<std::string> granted;
  for (const std::string& g : grants.prefixes) {
    try {
      std::string p = expand_tokens(g, user, "policy host path");
      if (p.size() > 1 && p.back() == '/') p.pop_back();
      if (is_clean_absolute(p)) granted.push_back(p);
    } catch (const Error&) {
      // A grant naming a variable this user lacks grants nothing.
    }
  }
  auto refused = [&](const std::string& what) {
    return grants.origin.empty() ? fmt::format("refused by policy: no policy.toml grants host_paths {}", what)
                                 : fmt::format("refused by policy: {} grants no host_paths {}", grants.origin, what);
  };
  bool covered = false;
  for (const std::string& g : granted) covered = covered || path_has_prefix(prefix, g);
  if (!covered) return refused("covering " + prefix);
  for (const std::string& s : sensitive) {
    bool named = false;
    if (path_has_prefix(prefix, s)) {
      // Inside a sensitive tree: the grant must lie within it, not above it.
      for (const std::string& g : granted) named = named || (path_has_prefix(prefix, g) && path_has_prefix(g, s));
    } else if (path_has_prefix(s, prefix)) {
      // Above one: that tree must be granted by name.
      for (const std::string& g : granted) named = named || g == s;
    } else {
      continue;
    }
    if (!named) return refused("naming " + s + " itself");
  }
  return {};
}

void add_rule(RuleSet& rules, const std::string& prefix, Isolation mode, RuleOrigin origin,
              const std::map<std::string, std::string, std::less<>>& user, const HostPathGrants& grants,
              const TreeProbe* host) {
  const bool from_user = origin == RuleOrigin::CommandLine;
  std::string expanded;
  try {
    expanded = expand_tokens(prefix, user, from_user ? "--isolate prefix" : "isolation prefix");
  } catch (const Error& e) {
    throw Error(from_user ? Exit::Usage : Exit::BadInput, e.what());
  }
  if (expanded.size() > 1 && expanded.back() == '/') expanded.pop_back();
  if (!is_clean_absolute(expanded)) {
    throw Error(from_user ? Exit::Usage : Exit::BadInput,
                fmt::format("isolation prefix '{}' expands to '{}', which is not an absolute, normalised path", prefix, expanded));
  }
  if (from_user) {
    rules.set_covering(expanded, mode, origin);
    return;
  }
  if (origin == RuleOrigin::Manifest) {
    std::string why = host_path_refusal(rules, expanded, mode, user, grants);
    // What the rule opens is where the host's links lead, and an app may plant a link
    // in a tree it writes (/tmp) before a later launch: the target is judged too.
    const std::string target = host ? resolve_in_tree(*host, expanded) : std::string();
    const bool through_link = !target.empty() && target != expanded;
    if (why.empty() && through_link && (mode == Isolation::Host || mode == Isolation::Merged)) {
      if (std::string through = host_path_refusal(rules, target, mode, user, grants); !through.empty()) {
        why = fmt::format("{} is a link on the host to {}: {}", expanded, target, through);
      }
    }
    // The kernel's trees are the launch's to narrow (a new proc, /sys read-only, the
    // granted devices), and a package's writecopy or full at or below them undoes
    // that (its rules above them leave their deeper defaults in place): an
    // overlay of the host's /dev opens every device node in it, a /proc of the
    // package's making fools what reads it. Judged where the host's links lead, too
    // (Debian's /run/shm -> /dev/shm; a link an app planted in /tmp).
    if (why.empty() && (mode == Isolation::WriteCopy || mode == Isolation::Full)) {
      for (const char* tree : {"/proc", "/sys", "/dev"}) {
        if (path_has_prefix(expanded, tree)) {
          why = fmt::format("{} is the kernel's tree, which the launch narrows itself; a package may not change it", tree);
          break;
        }
        if (through_link && path_has_prefix(target, tree)) {
          why = fmt::format("{} is a link on the host to {}, in the kernel's tree {}, which the launch narrows itself; "
                            "a package may not change it",
                            expanded, target, tree);
          break;
        }
      }
    }
    if (!why.empty()) {
      rules.set_aside(Rule{expanded, mode, origin, {}}, std::move(why));
      return;
    }
  }
  rules.set(expanded, mode, origin);
}

Rule parse_rule_arg(const std::string& text) {
  size_t eq = text.rfind('=');
  if (eq == std::string::npos) throw Error(Exit::Usage, fmt::format("--isolate '{}': expected PREFIX=MODE", text));
  std::string prefix = text.substr(0, eq);
  std::string mode_text = text.substr(eq + 1);
  std::optional<Isolation> mode = parse_isolation(mode_text);
  if (!mode) throw Error(Exit::Usage, fmt::format("--isolate '{}': unknown mode '{}' (expected merged, writecopy, full or host)", text, mode_text));
  if (prefix.empty()) throw Error(Exit::Usage, fmt::format("--isolate '{}': the prefix is empty", text));
  return Rule{prefix, *mode, RuleOrigin::CommandLine, {}};
}

bool DiskTree::below_unanswered(const std::string& path, bool or_at) const {
  if (mount_timeout_ms_ <= 0 || root_ != "/") return false;
  for (const std::string& point : mount_points_) {
    if (point == "/" || !path_has_prefix(path, point) || (point == path && !or_at)) continue;
    // The mount point is asked first (with its timeout), once.
    if (kind(point) == NodeKind::Absent && std::find(unanswered_.begin(), unanswered_.end(), point) != unanswered_.end()) {
      return true;
    }
  }
  return false;
}

void DiskTree::ask_mounts_within(const std::vector<std::string>& mount_points, int timeout_ms) {
  mount_points_.insert(mount_points.begin(), mount_points.end());
  mount_timeout_ms_ = timeout_ms;
}

bool DiskTree::below_mount_asked(const std::string& dir) const {
  return std::any_of(mount_points_.begin(), mount_points_.end(),
                     [&](const std::string& point) { return point != "/" && path_has_prefix(real(dir), point); });
}

NodeKind DiskTree::kind(const std::string& path) const {
  if (const auto it = kinds_.find(path); it != kinds_.end()) return it->second;
  if (below_unanswered(path)) {
    kinds_.emplace(path, NodeKind::Absent);
    return NodeKind::Absent;
  }
  if (index_ && is_clean_absolute(path)) {
    const NodeKind kind = indexed_kind(path == "/" ? 'd' : index_->find(path));
    kinds_.emplace(path, kind);
    return kind;
  }
  if (const size_t slash = path.find_last_of('/'); path != "/" && is_clean_absolute(path) && slash != std::string::npos) {
    const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    if (listed_dirs_.count(parent) && !listed_paths_.count(path)) {
      kinds_.emplace(path, NodeKind::Absent);
      return NodeKind::Absent;
    }
  }
  struct stat st;
  NodeKind kind = NodeKind::Absent;
  int err = 0;
  if (mount_timeout_ms_ > 0 && mount_points_.count(real(path))) {
    err = lstat_within(real(path), st, mount_timeout_ms_);
    if (err == ETIMEDOUT) unanswered_.push_back(path);
  } else if (::lstat(real(path).c_str(), &st) != 0) {
    err = errno;
  }
  if (err == 0) {
    kind = S_ISDIR(st.st_mode) ? NodeKind::Dir
           : S_ISREG(st.st_mode) ? NodeKind::File
           : S_ISLNK(st.st_mode) ? NodeKind::Symlink : NodeKind::Other;
  }
  kinds_.emplace(path, kind);
  return kind;
}

std::vector<std::string> DiskTree::list(const std::string& dir) const {
  std::vector<std::string> out;
  if (below_unanswered(dir, true)) return out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(real(dir).c_str()), closedir);
  if (!d) return out;
  std::vector<std::string> paths;
  int err = 0;
  for (;;) {
    errno = 0;
    dirent* ent = readdir(d.get());
    if (!ent) {
      err = errno;
      break;
    }
    std::string_view n = ent->d_name;
    if (n == "." || n == "..") continue;
    out.emplace_back(n);
    paths.push_back(dir == "/" ? "/" + out.back() : dir + "/" + out.back());
    // The listing names each entry's kind (d_type), so kind() needs no lstat for it:
    // a launch lists the host's top directories and would otherwise stat each entry.
    // Not a directory's: it may be a mount point, whose listed type is the covered
    // directory's, while lstat asks the mounted file system, and a dead one (a FUSE
    // daemon gone: ENOTCONN) must count as absent, not as a directory to overlay.
    // DT_UNKNOWN (some file systems) also leaves it to lstat.
    NodeKind kind = NodeKind::Absent;
    switch (ent->d_type) {
      case DT_UNKNOWN:
      case DT_DIR: continue;
      case DT_REG: kind = NodeKind::File; break;
      case DT_LNK: kind = NodeKind::Symlink; break;
      default: kind = NodeKind::Other; break;
    }
    kinds_.emplace(paths.back(), kind);
  }
  // readdir answers NULL at the end and on an error; only a whole listing says what is
  // absent. Not one of a file system that may answer a lookup for a name it does not
  // list (autofs without browsing mounts a key when it is looked up; FUSE may do
  // anything): below a mount point asked with a timeout, names are asked one by one.
  if (err == 0 && is_clean_absolute(dir) && !below_mount_asked(dir)) {
    listed_dirs_.insert(dir);
    listed_paths_.insert(paths.begin(), paths.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string DiskTree::read_link(const std::string& path) const {
  if (below_unanswered(path)) return {};
  char buf[4096];
  ssize_t n = ::readlink(real(path).c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

void MemoryTree::add(const std::string& path, NodeKind kind, const std::string& link) {
  if (path == "/") return;
  std::string parent = path.substr(0, path.find_last_of('/'));
  if (parent.empty()) parent = "/";
  if (!nodes_.count(parent)) add(parent, NodeKind::Dir);
  auto [it, inserted] = nodes_.emplace(path, Node{kind, link, {}});
  if (!inserted) return;
  std::vector<std::string>& siblings = nodes_[parent].children;
  std::string name = path.substr(path.find_last_of('/') + 1);
  siblings.insert(std::upper_bound(siblings.begin(), siblings.end(), name), name);
}

NodeKind MemoryTree::kind(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? NodeKind::Absent : it->second.kind;
}

std::vector<std::string> MemoryTree::list(const std::string& dir) const {
  auto it = nodes_.find(dir);
  return it == nodes_.end() ? std::vector<std::string>{} : it->second.children;
}

std::string MemoryTree::read_link(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? std::string() : it->second.link;
}

std::string resolve_in_tree(const TreeProbe& tree, const std::string& path) {
  std::string resolved = "/";
  std::string rest = path;
  int hops = 0;
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of('/');
    if (start == std::string::npos) break;
    size_t end = rest.find('/', start);
    std::string part = rest.substr(start, end == std::string::npos ? std::string::npos : end - start);
    rest = end == std::string::npos ? "" : rest.substr(end);
    if (part == ".") continue;
    if (part == "..") {
      resolved = normalize_absolute(resolved + "/..");
      continue;
    }
    std::string next = resolved == "/" ? "/" + part : resolved + "/" + part;
    if (tree.kind(next) == NodeKind::Symlink) {
      if (++hops > 40) return "";
      std::string target = tree.read_link(next);
      if (target.empty()) return "";
      rest = target + rest;
      if (target[0] == '/') resolved = "/";
      continue;
    }
    resolved = next;
  }
  return resolved;
}

namespace {

std::string work_name(const std::string& path) {
  std::string out;
  for (char c : path.substr(1)) {
    if (c == '/') out += "%2F";
    else if (c == '%') out += "%25";
    else out += c;
  }
  return out.empty() ? "%root" : out;
}

class Planner {
 public:
  Planner(const RuleSet& rules, const TreeProbe& host, const TreeProbe& package, const Layout& layout)
      : rules_(rules), host_(host), package_(package), layout_(layout) {}

  Plan run() {
    std::set<std::string> names;
    for (const std::string& n : host_.list("/")) names.insert(n);
    for (const std::string& n : package_.list("/")) names.insert(n);
    for (const std::string& n : names) place("/" + n, true);
    // Deeper rules mount over what their parent's rule put there, parents first
    // (the map's order puts "/a" before "/a/b").
    for (const auto& [prefix, rule] : rules_.rules()) {
      if (prefix != "/" && prefix.find('/', 1) != std::string::npos) place(prefix, false);
    }
    keep_links_writecopy();
    hide_private_dirs();
    hide_kernel_mounts();
    return std::move(plan_);
  }

 private:
  // How one path enters the view, decided before anything is added to the plan.
  struct Placement {
    enum class Kind {
      Skip,              // left out (the notes say why)
      Link,              // a top-level symlink: `source` is its text
      HostFile,          // a host socket or file bound by itself (`source`)
      HostTree,          // the host's directory `source` bound as it is
      SandboxOnly,       // nothing below: an empty place whose writes land in the sandbox
      Overlay,           // `lowers` under the sandbox's upper directory
      Split,             // writecopy around the mounts below the host's directory `source`
      OwnFile,           // a full rule on a file: the app's own file there, never the host's
    };
    Kind kind = Kind::Skip;
    std::string source;
    std::vector<std::string> lowers;
    // HostTree under a merged rule, or an Overlay of a tree holding appv's own cache:
    // the package's directories below are laid over the host's one by one.
    bool package_children = false;
    std::vector<std::string> notes;
  };

  void place(const std::string& path, bool top) {
    const Rule& rule = rules_.lookup(path);
    const std::string why = fmt::format("{} {} ({})", rule.prefix, to_string(rule.mode), origin_label(rule));
    Placement p = classify(path, top, rule, why);
    for (std::string& n : p.notes) note(std::move(n));
    emit(path, top, p, why);
  }

  Placement classify(const std::string& path, bool top, const Rule& rule, const std::string& why) const {
    using Kind = Placement::Kind;
    Placement p;
    const NodeKind pk = package_.kind(path);
    const NodeKind hk = host_.kind(path);
    Isolation mode = rule.mode;
    if (mode == Isolation::Host && pk != NodeKind::Absent) {
      p.notes.push_back(fmt::format("{}: the package's files there are hidden by the host's ({})", path, why));
    }
    if (top && pk == NodeKind::Symlink && mode != Isolation::Host) {
      p.kind = Kind::Link;
      p.source = package_.read_link(path);
      return p;
    }
    if (!top && pk == NodeKind::Symlink) {
      p.notes.push_back(fmt::format("{}: is a symlink in the package; rule {} not applied", path, why));
      return p;
    }
    const bool host_visible = mode != Isolation::Full;
    if (top && host_visible && pk == NodeKind::Absent && hk == NodeKind::Symlink) {
      p.kind = Kind::Link;
      p.source = host_.read_link(path);
      return p;
    }
    if (!top && mode == Isolation::Full && pk != NodeKind::Dir && !host_is_dir(path)) {
      p.kind = Kind::OwnFile;
      return p;
    }
    std::string host_dir;
    if (host_visible && hk != NodeKind::Absent) {
      std::string resolved = resolve_in_tree(host_, path);
      if (!resolved.empty() && host_.kind(resolved) == NodeKind::Dir) host_dir = resolved;
    }

    if (mode == Isolation::Merged && pk == NodeKind::Dir && host_dir.empty()) {
      // Only the package has this prefix: nothing of the host to merge with.
      mode = Isolation::WriteCopy;
    } else if (mode == Isolation::Host || mode == Isolation::Merged) {
      if (host_dir.empty() && mode == Isolation::Host && !top && hk != NodeKind::Absent) {
        // A socket or file passed through (D-Bus, X11, PulseAudio): bound by itself.
        if (std::string resolved = resolve_in_tree(host_, path); !resolved.empty()) {
          p.kind = Kind::HostFile;
          p.source = resolved;
          return p;
        }
      }
      if (host_dir.empty()) {
        if (hk != NodeKind::Absent) p.notes.push_back(fmt::format("{}: not a directory on the host; left out of the view", path));
        return p;
      }
      p.kind = Kind::HostTree;
      p.source = host_dir;
      p.package_children = mode == Isolation::Merged && pk == NodeKind::Dir;
      return p;
    }

    if (pk == NodeKind::Absent && hk != NodeKind::Absent && host_dir.empty() && mode == Isolation::WriteCopy) {
      p.notes.push_back(fmt::format("{}: not a directory on the host; left out of the view", path));
      return p;
    }
    std::vector<std::string> lowers;
    if (pk == NodeKind::Dir) lowers.push_back(layout_.package_root + path);
    if (mode == Isolation::WriteCopy && !host_dir.empty()) lowers.push_back(host_dir);
    if (!top && lowers.empty() && pk == NodeKind::Absent && hk == NodeKind::Absent) {
      // Nothing in the view to mount on: creating the mount point would need a write
      // into a layer that is not appv's.
      p.notes.push_back(fmt::format("{}: exists neither in the package nor on the host; rule {} not applied", path, why));
      return p;
    }
    if (mode == Isolation::WriteCopy && !host_dir.empty() && !submount_below(host_dir).empty()) {
      p.kind = Kind::Split;
      p.source = host_dir;
      return p;
    }
    if (lowers.empty()) {
      p.kind = Kind::SandboxOnly;
      return p;
    }
    p.kind = Kind::Overlay;
    p.package_children = pk == NodeKind::Dir && !host_dir.empty() && path_has_prefix(layout_.package_root, host_dir);
    p.source = host_dir;
    p.lowers = p.package_children ? std::vector<std::string>{host_dir} : lowers;
    return p;
  }

  void emit(const std::string& path, bool top, const Placement& p, const std::string& why) {
    using Kind = Placement::Kind;
    const std::string upper = layout::upper(layout_.sandbox) + path;
    switch (p.kind) {
      case Kind::Skip: return;
      case Kind::Link: add(MountOp::symlink(path, p.source, why)); return;
      case Kind::HostFile: add(MountOp::bind_exact(path, p.source, why)); return;
      case Kind::HostTree:
        if (top) add(MountOp::dir(path, why));
        add(MountOp::bind_exact(path, p.source, why));
        if (p.package_children) overlay_package_children(path, p.source, why, false);
        return;
      case Kind::Split: split(path, p.source, why); return;
      case Kind::OwnFile: own_file(path, why); return;
      case Kind::SandboxOnly:
        // Full isolation of a prefix the package does not provide.
        plan_.dirs_to_create.push_back(upper);
        if (top) add(MountOp::dir(path, why));
        add(MountOp::bind(path, upper, why));
        return;
      case Kind::Overlay: {
        plan_.dirs_to_create.push_back(upper);
        if (top) add(MountOp::dir(path, why));
        std::string work = layout::work(layout_.sandbox) + "/" + work_name(path);
        plan_.dirs_to_create.push_back(work);
        add(MountOp::overlay(path, p.lowers, upper, work, why));
        if (p.package_children) overlay_package_children(path, p.source, why, true);
        return;
      }
    }
  }

  bool host_is_dir(const std::string& path) const {
    const std::string resolved = resolve_in_tree(host_, path);
    return !resolved.empty() && host_.kind(resolved) == NodeKind::Dir;
  }

  // A full rule on a path that is no directory in the package nor on the host (the
  // README's "~/.python_history" = "full"): the app sees the package's file or its own,
  // the one in the sandbox's upper directory, and never the host's.
  // - In a tree whose upper directory is the sandbox's (an overlay: $HOME's dotfiles,
  //   a writecopy tree), that upper directory holds the app's file already; where it
  //   holds nothing, a whiteout hides the host's file until the app writes one (the
  //   package's file, in a lower layer above the host's, needs none).
  // - In the host's own tree (merged, host), the app's file is bound over the host's:
  //   the package's copied into the sandbox at the first launch, else an empty one,
  //   bound exactly (the app shapes upper/: no link on the way is followed). Where the
  //   sandbox holds something else there (a whiteout, a link, a directory the app
  //   left from a launch where the tree was writecopy), an empty read-only file.
  // Left out, with a note: a path whose directory is none (nothing would be hidden,
  // and a whiteout's directory would turn a host file into a directory for the app),
  // host-mode trees (the kernel's /proc, /sys, /dev, /run) and others appv lays no
  // file over, a host link (the view shows where it leads by that place's rule), and
  // nothing on the host to bind onto.
  void own_file(const std::string& path, const std::string& why) {
    const std::string sandbox_upper = layout::upper(layout_.sandbox);
    const std::string upper = sandbox_upper + path;
    const NodeKind pk = package_.kind(path);
    const NodeKind hk = host_.kind(path);
    const NodeKind uk = host_.kind(upper);
    const std::string dir = parent_dir(path);
    if (package_.kind(dir) != NodeKind::Dir && !host_is_dir(dir)) {
      note(fmt::format("{}: its directory is no directory in the package or on the host; rule {} not applied", path, why));
      return;
    }
    const MountOp* cover = covering_mount(plan_.ops, path);
    if (cover && (cover->type == MountOp::Type::Overlay || cover->type == MountOp::Type::Split) &&
        cover->upper + path.substr(cover->target == "/" ? 0 : cover->target.size()) == upper) {
      if (pk == NodeKind::Absent && uk == NodeKind::Absent) plan_.whiteouts.push_back({upper, why + ": the host's hidden"});
      return;
    }
    if (cover && cover->type == MountOp::Type::Bind && cover->source == sandbox_upper + cover->target) {
      return;  // a directory of the sandbox's own (full, nothing of the package there)
    }
    if (!cover || cover->type != MountOp::Type::Bind || !cover->exact || path_has_prefix(cover->source, sandbox_upper) ||
        rules_.lookup(cover->target).mode != Isolation::Merged) {
      note(fmt::format("{}: appv lays no file over what the view shows there; rule {} not applied", path, why));
      return;
    }
    if (hk == NodeKind::Absent || hk == NodeKind::Symlink) {
      note(fmt::format("{}: {} on the host, where a file would be bound; rule {} not applied", path,
                       hk == NodeKind::Absent ? "nothing" : "a link (the view shows where it leads)", why));
      return;
    }
    if (uk != NodeKind::Absent && uk != NodeKind::File) {
      note(fmt::format("{}: the sandbox holds no file there; an empty read-only file is shown ({})", path, why));
      add(MountOp::hide_file(path, why + ": the sandbox holds no file there"));
      return;
    }
    // Made, or checked, with no link on the way at every launch (make_plan_dirs).
    plan_.dirs_to_create.push_back(parent_dir(upper));
    if (uk == NodeKind::Absent) {
      plan_.copy_ups.push_back({pk == NodeKind::File ? layout_.package_root + path : std::string(), upper, why + ": the app's own file"});
    }
    add(MountOp::bind_exact(path, upper, why));
  }

  // Lays each directory the package brings below `path` over the host's directory of
  // the same name as a writecopy overlay. Used where `path` itself cannot be one
  // overlay of package over host:
  // - a merged prefix the package also provides (the host's tree is bound at `path`,
  //   so writes to package-owned paths go to the sandbox and the rest reach the host,
  //   DESIGN.md "merged"); what the host lacks cannot be placed without writing to it;
  // - a writecopy tree holding the package itself (the cache under $HOME): overlayfs
  //   refuses a lower layer inside another (ELOOP), so `path` is overlaid with the
  //   host's tree alone; new mount points land in its upper directory.
  // A directory holding appv's own cache (or, when merged, sandbox) is descended into.
  void overlay_package_children(const std::string& path, const std::string& host_dir, const std::string& why,
                                bool parent_is_overlay) {
    for (const std::string& name : package_.list(path)) {
      const std::string child = path == "/" ? "/" + name : path + "/" + name;
      const std::string host_child = host_dir + "/" + name;
      // A deeper rule places this child itself, later.
      if (rules_.lookup(child).prefix.size() > rules_.lookup(path).prefix.size()) continue;
      NodeKind pk = package_.kind(child);
      NodeKind hk = host_.kind(host_child);
      if (pk != NodeKind::Dir || (hk != NodeKind::Dir && !(parent_is_overlay && hk == NodeKind::Absent))) {
        note(fmt::format("{}: the package's {} here is hidden by the host's tree ({})", child,
                         pk == NodeKind::Dir ? "directory" : "file", why));
        continue;
      }
      if ((!parent_is_overlay && path_has_prefix(layout_.sandbox, host_child)) ||
          path_has_prefix(layout_.package_root, host_child)) {
        overlay_package_children(child, host_child, why, parent_is_overlay);
        continue;
      }
      if (hk == NodeKind::Dir && !submount_below(host_child).empty()) {
        split(child, host_child, why + ", package directory: writecopy");
        continue;
      }
      std::vector<std::string> lowers{layout_.package_root + child};
      if (hk == NodeKind::Dir) lowers.push_back(host_child);
      else add(MountOp::dir(child, why));
      std::string upper = layout::upper(layout_.sandbox) + child;
      std::string work = layout::work(layout_.sandbox) + "/" + work_name(child);
      plan_.dirs_to_create.push_back(upper);
      plan_.dirs_to_create.push_back(work);
      add(MountOp::overlay(child, lowers, upper, work, why + ", package directory: writecopy"));
    }
  }

  // Places the writecopy directory `path`, whose host directory `host_dir` has mounts
  // below it, around those mounts. An overlay's lower layer is one mount: the mounts
  // below it would show as the empty directories they cover. Inside a user namespace
  // they are locked, and the kernel takes no lower layer with a locked mount below
  // it ("overlayfs: failed to clone lowerpath", EINVAL), nor binds one without its
  // mounts (DESIGN.md, "Platform facts"). So `path` gets a mount of its own
  // (MountOp::Type::Split): the package's directory over a fresh tmpfs holding the
  // host's links, copies of its small files and a mount point per other host entry,
  // under the sandbox's upper directory. Then each host directory is placed on its
  // own as a writecopy overlay of the package's over the host's (split again where a
  // mount lies below it; a mount with none below is a tree like any other).
  // The limits, in the README: a host file directly in a split directory is the copy
  // made at launch (later changes on the host are not seen), and one too large to
  // copy is bound read-only: it cannot be written, deleted or renamed (EROFS, EBUSY),
  // as a bind has no copy-up. An entry of the package (above the host's) or of the
  // sandbox (the app's own file, link, or the whiteout of one it deleted) keeps the
  // host's entry of that name out.
  void split(const std::string& path, const std::string& host_dir, const std::string& why) {
    const std::string upper = layout::upper(layout_.sandbox) + path;
    const size_t rule_depth = rules_.lookup(path).prefix.size();
    std::vector<SplitEntry> entries;
    std::vector<std::string> placed;  // names whose host entry a later op places
    for (const std::string& name : host_.list(host_dir)) {
      const std::string child = path == "/" ? "/" + name : path + "/" + name;
      const NodeKind hk = host_.kind(host_dir + "/" + name);
      const NodeKind pk = package_.kind(child);
      const NodeKind uk = host_.kind(upper + "/" + name);
      const bool both_dirs = hk == NodeKind::Dir;
      if (pk != NodeKind::Absent && !(both_dirs && pk == NodeKind::Dir)) continue;
      if (uk != NodeKind::Absent && !(both_dirs && uk == NodeKind::Dir)) continue;
      // A deeper rule places this child itself, later, on the mount point made here.
      const bool deeper = rules_.lookup(child).prefix.size() > rule_depth;
      switch (hk) {
        case NodeKind::Symlink: entries.push_back({name, NodeKind::Symlink, host_.read_link(host_dir + "/" + name), {}}); break;
        case NodeKind::Dir: entries.push_back({name, NodeKind::Dir, {}, {}}); break;
        case NodeKind::File: entries.push_back({name, NodeKind::File, {}, deeper ? "" : host_dir + "/" + name}); break;
        case NodeKind::Other: entries.push_back({name, NodeKind::File, {}, {}}); break;
        case NodeKind::Absent: continue;
      }
      if ((hk == NodeKind::Dir || hk == NodeKind::Other) && !deeper) placed.push_back(name);
    }
    std::vector<std::string> lowers;
    if (package_.kind(path) == NodeKind::Dir) lowers.push_back(layout_.package_root + path);
    const std::string work = layout::work(layout_.sandbox) + "/" + work_name(path);
    plan_.dirs_to_create.push_back(upper);
    plan_.dirs_to_create.push_back(work);
    const std::string mount = submount_below(host_dir);
    const size_t at = plan_.ops.size();
    add(MountOp::split(path, std::move(lowers), std::move(entries), upper, work, fmt::format("{}, split around {}", why, mount)));
    note(fmt::format("{}: has a mount below it ({}), which an overlay cannot show; split around it: its "
                     "directories are placed one by one, the host's files directly in it copied at launch "
                     "(read-only where too large)", path, mount));
    for (const std::string& name : placed) {
      const std::string child = path == "/" ? "/" + name : path + "/" + name;
      const std::string host_child = host_dir + "/" + name;
      if (host_.kind(host_child) == NodeKind::Dir) writecopy_below_split(child, host_child, why);
      else add(MountOp::bind_read_only(child, host_child, why + ", a host socket in a split directory"));
    }
    plan_.ops[at].placed = plan_.ops.size() - at - 1;
  }

  // A host directory in a split one: the package's directory over the host's, as the
  // top-level overlay would have shown it.
  void writecopy_below_split(const std::string& path, const std::string& host_dir, const std::string& why) {
    if (std::find(layout_.kernel_mounts.begin(), layout_.kernel_mounts.end(), host_dir) != layout_.kernel_mounts.end()) {
      add(MountOp::hide(path, why + kKernelMountHidden));
      return;
    }
    if (!submount_below(host_dir).empty()) {
      split(path, host_dir, why);
      return;
    }
    const bool package_dir = package_.kind(path) == NodeKind::Dir;
    // The cache inside the host's directory: overlayfs refuses a lower layer inside
    // another, so the host's alone, with the package's directories laid over it.
    const bool holds_package = package_dir && path_has_prefix(layout_.package_root, host_dir);
    std::vector<std::string> lowers;
    if (package_dir && !holds_package) lowers.push_back(layout_.package_root + path);
    lowers.push_back(host_dir);
    const std::string upper = layout::upper(layout_.sandbox) + path;
    const std::string work = layout::work(layout_.sandbox) + "/" + work_name(path);
    plan_.dirs_to_create.push_back(upper);
    plan_.dirs_to_create.push_back(work);
    add(MountOp::overlay(path, std::move(lowers), upper, work, why));
    if (holds_package) overlay_package_children(path, host_dir, why, true);
  }

  // DESIGN.md invariant 3 through symlinks: a host link in a writecopy directory whose
  // target lies in a merged or host path (stow's ~/.bashrc -> dotfiles/bashrc with
  // ~/dotfiles merged) would let the app's writes through it reach the host. Such a
  // link gets the app's own copy of what it leads to: a file is copied into the upper
  // directory at the link's place; a directory gets an upper directory there (which
  // hides the link in the parent's overlay) and an overlay of the host's target under
  // it. Only the top level of each scan directory is checked, so the launch stays
  // cheap; links the app makes later are in its upper directory already. Where the
  // upper directory holds something at the link's place, it is the app's own and wins.
  void keep_links_writecopy() {
    std::set<std::string> seen;
    for (const std::string& dir : layout_.link_scan_dirs) {
      if (!is_clean_absolute(dir) || dir == "/" || !seen.insert(dir).second) continue;
      if (host_.kind(dir) != NodeKind::Dir || rules_.lookup(dir).mode != Isolation::WriteCopy) continue;
      for (const std::string& name : host_.list(dir)) {
        const std::string link = dir + "/" + name;
        if (host_.kind(link) != NodeKind::Symlink || package_.kind(link) != NodeKind::Absent) continue;
        const Rule& at_link = rules_.lookup(link);
        if (at_link.mode != Isolation::WriteCopy) continue;
        const std::string target = resolve_in_tree(host_, link);
        if (target.empty()) continue;
        const Rule& at_target = rules_.lookup(target);
        if (at_target.mode != Isolation::Merged && at_target.mode != Isolation::Host) continue;
        if (path_has_prefix(target, layout_.package_root) || path_has_prefix(target, layout_.sandbox)) continue;
        const std::string upper = layout::upper(layout_.sandbox) + link;
        if (host_.kind(upper) != NodeKind::Absent && host_.kind(upper) != NodeKind::Dir) continue;
        const std::string why = fmt::format("{} {} ({}), a host link into {} ({} {})", at_link.prefix,
                                            to_string(at_link.mode), origin_label(at_link), target,
                                            at_target.prefix, to_string(at_target.mode));
        const NodeKind tk = host_.kind(target);
        if (tk == NodeKind::File) {
          if (host_.kind(upper) == NodeKind::Absent) plan_.copy_ups.push_back({target, upper, why + ": the app's copy"});
        } else if (tk == NodeKind::Dir && !submount_below(target).empty()) {
          split(link, target, why + ": writecopy");
        } else if (tk == NodeKind::Dir) {
          const std::string work = layout::work(layout_.sandbox) + "/" + work_name(link);
          plan_.dirs_to_create.push_back(upper);
          plan_.dirs_to_create.push_back(work);
          add(MountOp::overlay(link, {target}, upper, work, why + ": writecopy"));
        }
      }
    }
  }

  // The first of the host's mounts strictly below `dir`, or "".
  std::string submount_below(const std::string& dir) const {
    for (const std::string& m : layout_.host_mounts) {
      if (m != dir && path_has_prefix(m, dir)) return m;
    }
    return {};
  }

  // appv's own directories (every app's sandbox) would show through the host's
  // trees; an empty read-only tmpfs goes over them. This also keeps lookups away
  // from overlay upper directories that lie inside a lower tree, which the kernel
  // would fail with ELOOP (DESIGN.md, "Platform facts").
  void hide_private_dirs() {
    for (const std::string& dir : layout_.hidden) {
      // Absent is planned for too: the launch creates the directory before it
      // builds the view (a user's first launch), and it must not show.
      const NodeKind kind = host_.kind(dir);
      if (rules_.lookup(dir).mode == Isolation::Full || (kind != NodeKind::Dir && kind != NodeKind::Absent)) continue;
      add(MountOp::hide(dir, "appv's private directory"));
    }
  }

  // A kernel file system's mount out of its place (a build chroot's /proc, sysfs or
  // devpts below /var or /mnt, a procfs below /dev/shm or /sys/fs/cgroup) would show
  // through a merged or host tree (a bind takes the mounts below it along): an empty
  // read-only tmpfs goes over it, as over one in a writecopy tree
  // (writecopy_below_split). Read-only would not do: a host procfs leads through
  // /proc/PID/root to the other processes' roots and sets kernel-wide values
  // (core_pattern) for uid 0 without a capability, and a devpts gives the user's other
  // terminals. A single file bound from one (a sysctl's file, a terminal's node) gets
  // an empty read-only file over it. Where the view has a directory of its own there
  // (the ns backend's /dev), the hiding finds nothing to cover.
  //
  // A file is hidden whatever the tree's mode but full (whose host files do not show):
  // a rule on the file itself places nothing but in host mode (it binds the file
  // alone), so the file shows through its directory's tree, and in a writecopy tree
  // the empty file covers the launch's copy too. A package could otherwise un-hide
  // one with a stricter-looking rule on its path.
  void hide_kernel_mounts() {
    for (const std::string& point : layout_.kernel_mounts) {
      if (point == "/") continue;
      const NodeKind kind = host_.kind(point);
      if (kind == NodeKind::Absent || kind == NodeKind::Symlink) continue;
      const Rule* rule = &rules_.lookup(point);
      if (kind != NodeKind::Dir && rule->prefix == point && rule->mode != Isolation::Host) {
        rule = &rules_.lookup(parent_dir(point));
      }
      const bool shown = kind == NodeKind::Dir ? rule->mode == Isolation::Merged || rule->mode == Isolation::Host
                                               : rule->mode != Isolation::Full;
      if (!shown) continue;
      std::string why = fmt::format("{} {} ({}){}", rule->prefix, to_string(rule->mode), origin_label(*rule), kKernelMountHidden);
      add(kind == NodeKind::Dir ? MountOp::hide(point, std::move(why)) : MountOp::hide_file(point, std::move(why)));
    }
  }

  static constexpr const char* kKernelMountHidden = ", a kernel file system's mount: hidden";

  void add(MountOp op) { plan_.ops.push_back(std::move(op)); }
  void note(std::string text) { plan_.notes.push_back(std::move(text)); }

  const RuleSet& rules_;
  const TreeProbe& host_;
  const TreeProbe& package_;
  const Layout& layout_;
  Plan plan_;
};

}  // namespace

Plan make_plan(const RuleSet& rules, const TreeProbe& host, const TreeProbe& package, const Layout& layout) {
  RuleSet effective = rules;
  effective.drop_redundant_defaults();
  Plan plan = Planner(effective, host, package, layout).run();
  plan.host_mounts = layout.host_mounts;
  return plan;
}

const MountOp* covering_mount(const std::vector<MountOp>& ops, const std::string& path) {
  const MountOp* cover = nullptr;
  for (const MountOp& op : ops) {
    if (op.type == MountOp::Type::Dir || !path_has_prefix(path, op.target)) continue;
    if (!cover || op.target.size() >= cover->target.size()) cover = &op;
  }
  return cover;
}

std::string format_plan(const RuleSet& rules, const Plan& plan) {
  std::string out = "rules (longest prefix wins):\n";
  for (const auto& [prefix, rule] : rules.rules()) {
    out += fmt::format("  {:<28} {:<10} {}\n", prefix, to_string(rule.mode), origin_label(rule));
  }
  for (const SetAside& a : rules.set_aside()) {
    out += fmt::format("  {:<28} {:<10} {}: not applied, {}\n", a.rule.prefix, to_string(a.rule.mode), origin_label(a.rule), a.why);
  }
  out += "mounts, in order:\n  tmpfs    /  (new root; read-only once built)\n";
  for (const MountOp& op : plan.ops) {
    switch (op.type) {
      case MountOp::Type::Dir: break;  // implied by the mount that follows
      case MountOp::Type::Symlink: out += fmt::format("  symlink  {} -> {}\n", op.target, op.source); break;
      case MountOp::Type::Bind: out += fmt::format("  bind     {} <- {}  [{}]\n", op.target, op.source, op.why); break;
      case MountOp::Type::Hide:
      case MountOp::Type::HideFile: out += fmt::format("  hide     {}  [{}]\n", op.target, op.why); break;
      case MountOp::Type::BindReadOnly: out += fmt::format("  bind-ro  {} <- {}  [{}]\n", op.target, op.source, op.why); break;
      case MountOp::Type::HostState: out += fmt::format("  host     {} <- {}  [{}]\n", op.target, op.source, op.why); break;
      case MountOp::Type::HostLink: out += fmt::format("  host     {} -> {}  [{}]\n", op.target, op.source, op.why); break;
      case MountOp::Type::Proc: out += fmt::format("  proc     {}  [{}]\n", op.target, op.why); break;
      case MountOp::Type::Devpts: out += fmt::format("  devpts   {}  [{}]\n", op.target, op.why); break;
      case MountOp::Type::Tmpfs: out += fmt::format("  tmpfs    {}  {}  [{}]\n", op.target, op.source, op.why); break;
      case MountOp::Type::Overlay: {
        std::string lowers;
        for (const std::string& l : op.lowers) lowers += (lowers.empty() ? "" : ":") + l;
        out += fmt::format("  overlay  {}  lower={} upper={}  [{}]\n", op.target, lowers, op.upper, op.why);
        break;
      }
      case MountOp::Type::Split: {
        // Its own layer is a tmpfs of mount points (implied by the mounts that follow),
        // the host's links and its files, listed below it.
        std::string lowers;
        for (const std::string& l : op.lowers) lowers += l + ":";
        out += fmt::format("  split    {}  lower={}(mount points, links, files) upper={}  [{}]\n", op.target, lowers, op.upper, op.why);
        for (const SplitEntry& e : op.entries) {
          if (e.kind == NodeKind::Symlink) {
            out += fmt::format("  symlink  {}/{} -> {}  (in the split layer)\n", op.target, e.name, e.link);
          } else if (!e.source.empty()) {
            out += fmt::format("  file     {}/{} <- {}  (copied into the split layer if small, else bound read-only)\n",
                               op.target, e.name, e.source);
          }
        }
        break;
      }
    }
  }
  for (const CopyUp& c : plan.copy_ups) {
    out += fmt::format("copy     {} <- {}  [{}]\n", c.to, c.from.empty() ? "(an empty file)" : c.from, c.why);
  }
  for (const Whiteout& w : plan.whiteouts) out += fmt::format("whiteout {}  [{}]\n", w.path, w.why);
  for (const std::string& n : plan.notes) out += fmt::format("note: {}\n", n);
  return out;
}

}  // namespace appv
