// appv stands between the user's shell and the app: the shell waits for appv, so when
// the app stops (Ctrl-Z, a background job's read or write) appv must stop too for the
// shell to see the job stopped, and continue the app when the shell continues it.
// Shared by the ns backend's terminal relay and the namespace-free backend's tracer.
#pragma once

#include <sys/types.h>

namespace appv {

// Stops `target` (0: the caller's process group; the caller's own pid: the caller
// alone) with the stopping signal `sig` (SIGTSTP, SIGTTIN or SIGTTOU), by the signal's
// default action whatever the caller's disposition of it, and returns once the caller
// is continued. The kernel stops nothing in an orphaned process group: then it returns
// after a tenth of a second, so that following an app that stops itself over and
// over costs no CPU.
void stop_with_job(pid_t target, int sig);

}  // namespace appv
