// The session bus through xdg-dbus-proxy (Flatpak's filter): started on the host side
// before the view is entered, listening at a socket the mount plan binds where the app
// expects its bus. Only the plan's --talk and --own names get through; calls to other
// names, and org.freedesktop.DBus's UpdateActivationEnvironment, are refused by it.
#pragma once

#include "launch/launch_plan.h"

namespace appv {

// Starts the proxy (detached: a grandchild, so the app never reaps it) and waits until
// its socket listens. Returns the read end of its --fd pipe, NOT close-on-exec: the
// app's process tree holds it, and the proxy exits (removing nothing else) when the
// last holder is gone. Throws Exit::Environment if xdg-dbus-proxy cannot be run or
// exits before it is ready.
int start_bus_proxy(const LaunchPlan::BusProxy& proxy);

}  // namespace appv
