// Applying a launch plan (launch/launch_plan.h): the one place where appv locks a
// sandbox, creates its directories, records or joins the running instance, enters
// namespaces, mounts, pivots, drops privileges and execs. The backend is chosen by
// the plan; each backend is a function below this seam.
#pragma once

#include "base/reporter.h"
#include "launch/launch_plan.h"

namespace appv {

class TerminalRelay;

// Becomes the app. For a Run plan: takes the sandbox's lock, decides again between
// build, join and refuse (the instance may have started or exited since planning),
// records the sandbox's state and the instance, builds the view, execs. For a Temp
// plan: apply_in_child(), then removes the sandbox and ends the way the app ended
// (the same status, or death by the same signal; a sandbox that cannot be removed is
// a warning through `reporter`, vfs/work_dirs.h). Must be called single-threaded.
// A plan whose namespace probe found the backend refused fails first, having done
// nothing, with that refusal's message (Exit::Environment).
// Returns only by throwing: Exit::Busy (refused), Exit::Environment (the host lacks
// what the backend needs), Exit::Io, Exit::NotFound / Exit::CannotExecute (exec).
// `terminal`: the relay of an interactive launch (redirect/terminal_relay.h), whose
// pseudo-terminal the plan bound at /dev/console; the ns backend's app gets it, and
// this process relays it until the app ends.
// A plan that joins an instance without having probed the namespaces
// (LaunchPlan::join_unprobed) throws ViewGone, having created nothing and released the
// sandbox's lock, when that instance has gone or no longer takes joins: the caller
// probes and plans again.
[[noreturn]] void apply(const LaunchPlan& plan, Reporter& reporter, TerminalRelay* terminal = nullptr);
struct ViewGone {};

// Builds the view and execs the plan's program in a forked child; the caller stays
// outside the view, forwarding SIGINT, SIGTERM, SIGHUP and SIGQUIT, and gets the raw
// wait status. Creates the sandbox (removing what killed appv runs left in the
// sandboxes directory first, vfs/work_dirs.h: what cannot be removed is a warning
// through `reporter`) and holds its lock until the app and everything it started are
// gone, also when this process is killed first; removing it afterwards is the
// caller's (Temp: apply() does it; InstallCapture: once the capture is packed).
int apply_in_child(const LaunchPlan& plan, Reporter& reporter, TerminalRelay* terminal = nullptr);

}  // namespace appv
