#include "vfs/view_table.h"

#include <algorithm>
#include <set>

#include "manifests/paths.h"

namespace appv {
namespace {

// The host directory a split shows below its layers: its entries' sources sit in it
// (the planner reads them there); with none, the target itself, as for the usual
// writecopy tree of the host's own path.
std::string split_host_dir(const MountOp& op) {
  for (const SplitEntry& e : op.entries) {
    if (!e.source.empty()) return e.source.substr(0, e.source.rfind('/'));
  }
  return op.target;
}

}  // namespace

ViewTable ViewTable::from_plan(const Plan& plan) {
  ViewTable table;
  for (const MountOp& op : plan.ops) {
    ViewPlace p;
    p.target = op.target;
    switch (op.type) {
      case MountOp::Type::Dir: continue;  // a mount point: is_root_dir() knows it
      case MountOp::Type::Symlink:
      case MountOp::Type::HostLink:
        p.kind = ViewPlace::Kind::Symlink;
        p.link = op.source;
        break;
      case MountOp::Type::Bind: p.layers = {op.source}; break;
      case MountOp::Type::BindReadOnly:
      case MountOp::Type::HostState:
        p.layers = {op.source};
        p.read_only = true;
        break;
      case MountOp::Type::Hide:
        p.kind = ViewPlace::Kind::Empty;
        p.read_only = true;
        break;
      case MountOp::Type::HideFile:
        p.kind = ViewPlace::Kind::EmptyFile;
        p.read_only = true;
        break;
      case MountOp::Type::Proc:
      case MountOp::Type::Devpts:
        p.layers = {op.target};
        p.kernel = true;
        break;
      case MountOp::Type::Tmpfs:
        if (op.source.find("mode=1777") != std::string::npos) {
          p.layers = {op.target};  // anyone's to write (/dev/shm): the host's own
        } else {
          p.kind = ViewPlace::Kind::Empty;
          p.read_only = true;
        }
        break;
      case MountOp::Type::Overlay:
        p.layers.push_back(op.upper);
        p.layers.insert(p.layers.end(), op.lowers.begin(), op.lowers.end());
        p.upper = true;
        break;
      case MountOp::Type::Split:
        p.layers.push_back(op.upper);
        p.layers.insert(p.layers.end(), op.lowers.begin(), op.lowers.end());
        p.layers.push_back(split_host_dir(op));
        p.upper = true;
        break;
    }
    table.add(std::move(p));
  }
  return table;
}

void ViewTable::add(ViewPlace place) {
  auto it = std::lower_bound(places_.begin(), places_.end(), place.target,
                             [](const ViewPlace& p, const std::string& t) { return p.target < t; });
  if (it != places_.end() && it->target == place.target) {
    *it = std::move(place);
  } else {
    places_.insert(it, std::move(place));
  }
}

const ViewPlace* ViewTable::at(const std::string& path) const {
  auto it = std::lower_bound(places_.begin(), places_.end(), path,
                             [](const ViewPlace& p, const std::string& t) { return p.target < t; });
  return it != places_.end() && it->target == path ? &*it : nullptr;
}

const ViewPlace* ViewTable::covering(const std::string& path) const {
  // Walk up from the path itself: at most one lookup per component.
  std::string prefix = path;
  for (;;) {
    if (const ViewPlace* place = at(prefix)) return place;
    if (prefix == "/") return nullptr;
    const size_t slash = prefix.rfind('/');
    prefix.resize(slash == 0 ? 1 : slash);
  }
}

bool ViewTable::is_root_dir(const std::string& path) const {
  if (path == "/") return true;
  // The first target at or after "PATH/" is below PATH if any is ("/a-b" sorts before "/a/").
  const std::string below = path + "/";
  auto it = std::lower_bound(places_.begin(), places_.end(), below,
                             [](const ViewPlace& p, const std::string& t) { return p.target < t; });
  return it != places_.end() && it->target.compare(0, below.size(), below) == 0;
}

std::vector<std::string> ViewTable::root_children(const std::string& path) const {
  std::set<std::string> names;
  const std::string base = path == "/" ? "/" : path + "/";
  for (const ViewPlace& p : places_) {
    if (p.target.size() <= base.size() || p.target.compare(0, base.size(), base) != 0) continue;
    const std::string rest = p.target.substr(base.size());
    names.insert(rest.substr(0, rest.find('/')));
  }
  return {names.begin(), names.end()};
}

}  // namespace appv
