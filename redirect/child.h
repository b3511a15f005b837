// Running part of appv's work in a child and waiting for it, as `run --temp` and
// install capture do: appv stays the parent to clean up afterwards.
#pragma once

#include <functional>

namespace appv {

// Forks; the child runs `body`, which ends by exec'ing a program. If `body` throws
// instead, the error (its status and message) travels to the parent through a
// close-on-exec pipe and is thrown there once the child has exited, so errors are
// reported by the one process that reports errors and cleanup runs in the parent.
// The parent forwards every catchable signal whose default is to end a process (SIGHUP,
// SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF,
// SIGXCPU, SIGXFSZ, SIGPWR) to the child, waits, and returns the raw wait status of
// the program; the caller then cleans up and ends the same way (exit_like).
int run_child(const std::function<void()>& body);

// The shell's view of a wait status: the exit code, or 128+N for signal N.
int shell_status(int wait_status);

// Ends the calling process the way the child ended: the same exit code, or death by
// the same signal (with the default action restored). Returns only if the signal
// does not kill (then the caller should exit with shell_status()).
void exit_like(int wait_status);

}  // namespace appv
