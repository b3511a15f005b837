// What a launch plan needs to know of this host and this caller, read once.
#pragma once

#include "launch/launch_plan.h"

namespace appv::cli {

// The caller's user directories, working directory, environment, uid, pid; the
// host's locked mount points; the sandboxes directory; and how to find a running
// instance. The package part of LaunchInputs is left for the command to fill.
LaunchInputs host_launch_inputs();

}  // namespace appv::cli
