#include "redirect/shared_overlay.h"

#include "base/fs_util.h"
#include "manifests/paths.h"

namespace appv {
namespace {

// True when the host's `dir` is on the root mount and no mount lies at or below it.
bool on_root_mount_alone(const std::string& dir, const std::vector<std::string>& host_mounts) {
  for (const std::string& m : host_mounts) {
    if (m == "/") continue;
    if (path_has_prefix(dir, m) || path_has_prefix(m, dir)) return false;
  }
  return true;
}

// "%shared" cannot name a member's own work directory: vfs/view.cpp encodes every '%'
// of a path as "%25" and '/' as "%2F".
constexpr const char* kWorkName = "%shared";

}  // namespace

std::optional<SharedOverlay> plan_shared_overlay(const Plan& plan) {
  SharedOverlay shared;
  std::string work_root;
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const MountOp& op = plan.ops[i];
    if (op.type == MountOp::Type::Split) return std::nullopt;
    if (op.type != MountOp::Type::Overlay || op.target == "/") continue;
    if (op.lowers.size() != 1 || op.lowers[0] != op.target) continue;
    if (op.upper.size() <= op.target.size() || op.upper.compare(op.upper.size() - op.target.size(), op.target.size(), op.target) != 0) {
      continue;
    }
    const std::string upper = op.upper.substr(0, op.upper.size() - op.target.size());
    const std::string work = parent_dir(op.work);
    if (upper.empty() || !on_root_mount_alone(op.target, plan.host_mounts)) continue;
    if (shared.members.empty()) {
      shared.upper = upper;
      work_root = work;
    } else if (upper != shared.upper || work != work_root) {
      continue;
    }
    shared.members.push_back(i);
  }
  if (shared.members.size() < 2) return std::nullopt;
  shared.work = work_root + "/" + kWorkName;
  return shared;
}

}  // namespace appv
