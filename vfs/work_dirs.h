// The short-lived sandboxes beside the apps' own (vfs/layout.h): .temp-<app>-<pid>
// (run --temp), .capture-<pid> (install capture), .import-<app>-<pid> and
// .replaced-<app>-<pid> (sandbox import and rm), and .unremovable-<one of those>: a
// work sandbox whose removal failed once, and was reported then.
//
// A work sandbox is in use while the lock file in it (<dir>/.lock) is held, or while
// the process <pid> lives. A launch with a throw-away sandbox takes its lock before it
// starts the app (lock_sandbox, vfs/sandbox_access.h), and every long-lived process of
// the launch holds it: the first appv process, its child (which waits for the app),
// and the PID namespace's init (ns) or the supervisor (ptrace). Killing the first
// appv process therefore frees nothing while the app runs on. sandbox rm and import
// hold the sandbox's own lock, which the renamed directory takes along.
#pragma once

#include <string>

#include "base/reporter.h"

namespace appv {

// Removes the work sandboxes in `sandboxes` that nothing uses (see above), one sweep
// at a time (a sweep running elsewhere makes this one return at once). A leftover
// that cannot be removed does not stop the sweep or the caller: it is renamed to
// .unremovable-<name> and reported through `reporter` as a warning, once; later sweeps
// try it again without a word. Throws only when `sandboxes` cannot be read.
void remove_stale_work_dirs(const std::string& sandboxes, Reporter& reporter);

// Removes the work sandbox `dir` (base/tree_walk.h remove_tree), once nothing uses it.
// When that fails, what is left is renamed to .unremovable-<name> beside it, where
// later sweeps try again quietly, and the removal's Error is thrown with where it was
// left appended to its message.
void remove_work_dir(const std::string& dir);

// remove_work_dir, turning its failure into a warning: for a launch whose app has
// ended, whose status is what the caller reports.
void remove_work_dir(const std::string& dir, Reporter& reporter);

}  // namespace appv
