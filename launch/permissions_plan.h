// What resolved permissions put into a launch plan: the network namespace, the
// session bus proxy, and mounts hiding the host's sockets and devices that were not
// granted. Pure: the host is asked through the TreeProbe.
#pragma once

#include "launch/launch_plan.h"

namespace appv {

// From plan.permissions (resolved by plan_launch): sets own_network, session_bus
// and the environment, and appends to plan.mounts.ops, after the view's own mounts (which show /run,
// /tmp and /dev from the host):
// - the host's session bus socket (DBUS_SESSION_BUS_ADDRESS's unix:path, else
//   $XDG_RUNTIME_DIR/bus) is covered by /dev/null, or by the proxy's socket when the
//   bus is granted filtered; DBUS_SESSION_BUS_ADDRESS then names it;
// - /tmp/.X11-unix, $XDG_RUNTIME_DIR/wayland-*, pulse and pipewire-* are hidden when
//   not granted. (/dev, and dri in it, are launch/kernel_trees.h's.)
void plan_permissions(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan);

}  // namespace appv
