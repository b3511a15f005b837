// The namespace-free backend (`--backend ptrace`, docs/namespace-free-backend.md):
// the app runs on the host's own mount tree, and a supervisor, its tracer, rewrites
// the path arguments of its file system calls so that it sees the plan's view. A
// seccomp filter stops only those calls (redirect/path_syscalls.h); everything else
// runs at full speed. No namespace, mount or privilege is needed.
#pragma once

#include "launch/launch_plan.h"

namespace appv {

// Runs the plan's program under the supervisor, which stays this process's child's
// tracer until every process the app started has ended; signals sent to appv with
// kill(2) are passed on to the app. Returns the app's raw wait status. Throws
// Exit::Environment when ptrace or seccomp is refused, Exit::NotFound /
// Exit::CannotExecute when the program cannot be run in the view. Must be called
// single-threaded.
int run_ptrace_backend(const LaunchPlan& plan);

}  // namespace appv
