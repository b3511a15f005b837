// Running part of appv's work in a child and waiting for it, as `run --temp` and
// install capture do: appv stays the parent to clean up afterwards.
#pragma once

#include <functional>

namespace appv {

// Forks; the child runs `body` and exits with what it returns (it never returns to
// the caller). The parent forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the child,
// waits, and returns the raw wait status.
int run_child(const std::function<int()>& body);

// The shell's view of a wait status: the exit code, or 128+N for signal N.
int shell_status(int wait_status);

// Ends the calling process the way the child ended: the same exit code, or death by
// the same signal (with the default action restored). Returns only if the signal
// does not kill (then the caller should exit with shell_status()).
void exit_like(int wait_status);

}  // namespace appv
