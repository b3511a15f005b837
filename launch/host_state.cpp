#include "launch/host_state.h"

#include <algorithm>

#include <fmt/format.h>

#include "manifests/paths.h"
#include "vfs/layout.h"

namespace appv {
namespace {

using Kind = HostStatePath::Kind;

// What the view shows at a path before host state is added: the mount that covers
// it (the deepest op at or above it; of two at one target, the later).
enum class Placement {
  Sandbox,  // an overlay, or a directory of the sandbox: a mount point may be made there
  Host,     // the host's own tree (merged, host): its file is the host state already
  Other,    // a link, a hidden or kernel tree, nothing: left alone
};

Placement placement(const LaunchPlan& plan, const MountOp* cover) {
  if (!cover) return Placement::Other;
  switch (cover->type) {
    case MountOp::Type::Overlay:
    case MountOp::Type::Split: return Placement::Sandbox;
    case MountOp::Type::Bind:
    case MountOp::Type::BindReadOnly:
      if (path_has_prefix(cover->source, layout::upper(plan.sandbox))) return Placement::Sandbox;
      // The host's tree at its own place shows the host's file; anywhere else (a
      // granted host path bound elsewhere) it is not this path's.
      return cover->source == cover->target ? Placement::Host : Placement::Other;
    default: return Placement::Other;
  }
}

// A name, home or shell fit for a passwd line.
bool fits_passwd_field(const std::string& s) { return s.find_first_of(":\n") == std::string::npos; }

// A user or group name fit for the files: portable characters, not an option.
bool fits_name(const std::string& name) {
  return !name.empty() && name.size() <= 32 && name[0] != '-' &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
}

std::string safe_name(const HostIdentity& id) { return fits_name(id.user) ? id.user : fmt::format("user{}", id.uid); }

std::string safe_path(const std::string& path, const char* fallback) {
  return is_clean_absolute(path) && fits_passwd_field(path) ? path : fallback;
}

}  // namespace

std::string passwd_entry(const HostIdentity& id) {
  return fmt::format("{}:x:{}:{}:{}:{}:{}\n", safe_name(id), id.uid, id.gid, "appv user", safe_path(id.home, "/"),
                     safe_path(id.shell, "/bin/sh"));
}

std::string group_entry(const HostIdentity& id) {
  return fmt::format("{}:x:{}:\n", fits_name(id.group) ? id.group : fmt::format("group{}", id.gid), id.gid);
}

void plan_host_state(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package, LaunchPlan& plan) {
  if (in.kind == LaunchKind::InstallCapture) return;
  const std::string dir = layout::host_state(plan.sandbox);
  auto generate = [&](std::string name, std::string from, std::string append, bool directory = false) {
    std::string path = dir + "/" + name;
    for (const auto& g : plan.generated) {
      if (g.path == path) return path;
    }
    plan.generated.push_back({path, std::move(from), std::move(append), directory});
    return path;
  };
  std::vector<MountOp> ops;
  for (const HostStatePath& p : host_state_paths()) {
    const std::string path(p.path);
    const MountOp* cover = covering_mount(plan.mounts.ops, path);
    if (placement(plan, cover) != Placement::Sandbox) continue;
    if (cover->target == path || plan.rules.lookup(path).prefix == path) {
      // A rule at the path itself: its mount point's parent is not the sandbox's, or
      // it places the app's own file there (a full rule on a file: vfs/view.cpp).
      plan.mounts.notes.push_back(fmt::format("{}: a rule of its own places it; the host's is not shown", path));
      continue;
    }
    const std::string why = fmt::format("host state: {}", p.what);
    if (p.kind == Kind::MountTable) {
      // The mount table of the app's own mounts, as the host's link reads it (to
      // /proc/mounts or ../proc/self/mounts), also where the package or an earlier
      // run left another /etc/mtab.
      std::string text = host.kind(path) == NodeKind::Symlink ? host.read_link(path) : std::string();
      if (text.rfind("/proc/", 0) != 0 && text.rfind("../proc/", 0) != 0) text = "../proc/self/mounts";
      ops.push_back(MountOp::host_link(path, text, why));
      continue;
    }
    const std::string resolved = resolve_in_tree(host, path);
    const NodeKind want = p.kind == Kind::Dir ? NodeKind::Dir : NodeKind::File;
    if (const NodeKind in_package = package.kind(path);
        (in_package == NodeKind::Dir || in_package == NodeKind::File) && in_package != want) {
      plan.mounts.notes.push_back(fmt::format("{}: the package has a {} there; the host's is not shown", path,
                                              in_package == NodeKind::Dir ? "directory" : "file"));
      continue;
    }
    std::string source = !resolved.empty() && host.kind(resolved) == want ? resolved : std::string();
    if (path == "/etc/passwd" && !in.identity.user_listed) {
      source = generate("passwd", source, passwd_entry(in.identity));
    } else if (path == "/etc/group" && !in.identity.group_listed) {
      source = generate("group", source, group_entry(in.identity));
    }
    if (source.empty()) {
      // The host has none: neither may the app see the package's copy, which
      // describes another machine.
      if (!p.cover_when_absent || package.kind(path) == NodeKind::Absent) continue;
      source = p.kind == Kind::Dir ? generate("empty.d", "", "", true) : generate("empty", "", "");
    }
    ops.push_back(MountOp::host_state(path, source, why));
    // The host's directory, read-only, covers whatever deeper rule placed below it.
    for (const auto& [prefix, rule] : plan.rules.rules()) {
      if (prefix != path && path_has_prefix(prefix, path)) {
        plan.mounts.notes.push_back(fmt::format("{}: below the host's {} ({}); rule {} {} not applied", prefix, path, p.what,
                                                prefix, to_string(rule.mode)));
      }
    }
    if (cover->type == MountOp::Type::Overlay || cover->type == MountOp::Type::Split) {
      // The mount point replaces what the host has there (a link), which needs the
      // right to write its directory: inside a user namespace a directory shown from
      // a lower layer is the host's root's. The same directory in the upper layer is
      // the caller's, and the view's directory takes its owner.
      const std::string parent = path.substr(0, path.rfind('/'));
      std::vector<std::string>& dirs = plan.mounts.dirs_to_create;
      const std::string upper_dir = cover->upper + parent.substr(cover->target == "/" ? 0 : cover->target.size());
      if (parent.size() > cover->target.size() && std::find(dirs.begin(), dirs.end(), upper_dir) == dirs.end()) {
        dirs.push_back(upper_dir);
      }
    }
  }
  for (MountOp& op : ops) plan.mounts.ops.push_back(std::move(op));
}

}  // namespace appv
