// One overlay for many of the view's trees, where the kernel allows it.
//
// Every overlay mount costs a warm launch the most of anything it does: mounting
// resets the overlay's work directory on disk (a rmdir and a mkdir, journalled; on a
// file system mounted with `discard`, a discard the mount waits for) and checks the
// upper file system's features with temporary files; unmounting it, when the app's
// mount namespace goes away, syncs the whole file system holding its upper
// directory, and the launcher waits for that. A default view overlays every top-level
// writecopy tree of the host (/etc, /var, /opt, /srv, /boot, ... and $HOME), a dozen
// overlays where one would do.
//
// Without a user namespace (a launch by root), the host's root may be an overlay's
// lower layer, and one overlay of "/" under the sandbox's upper directory shows each
// of those trees at its own path, exactly as its own overlay would: same lower tree,
// same upper directory (upper/<tree>), same copy-up. redirect/mounts.cpp mounts it
// outside the view and binds its trees at their places. Inside a user namespace the
// host's "/" has locked mounts below it (/proc, /sys, /dev) and the kernel refuses it
// as a lower layer (DESIGN.md, "Platform facts"): each tree keeps its own overlay.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vfs/view.h"

namespace appv {

struct SharedOverlay {
  // Indices into Plan::ops of the Overlay ops it serves, in plan order.
  std::vector<size_t> members;
  // The sandbox's upper directory: each member's upper is `upper` + its target.
  std::string upper;
  // Its own work directory, beside the members' (which it leaves unused).
  std::string work;
};

// Which overlays of `plan` one overlay of the host's "/" can serve (pure: reads only
// the plan). A member is an Overlay op whose one lower layer is the host's directory
// at its own target, whose upper is the common upper directory + its target, and
// whose host directory lies on the host's root mount with no mount below it (an
// overlay of "/" shows the root mount alone). nullopt when fewer than two ops
// qualify, and when the plan splits a directory around a mount (a split mounts the
// overlays below it in an order of its own, which the shared overlay must not
// precede: see mounts.cpp).
std::optional<SharedOverlay> plan_shared_overlay(const Plan& plan);

}  // namespace appv
