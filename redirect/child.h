// Running part of appv's work in a child and waiting for it, as `run --temp` and
// install capture do: appv stays the parent to clean up afterwards.
#pragma once

#include <sys/types.h>

#include <functional>

namespace appv {

// Forks; the child runs `body`, which ends by exec'ing a program. If `body` throws
// instead, the error (its status and message) travels to the parent through a
// close-on-exec pipe and is thrown there once the child has exited, so errors are
// reported by the one process that reports errors and cleanup runs in the parent.
// Once the program has started (the pipe closed at its exec), `started` runs in the
// parent with the child's pid. The parent forwards every catchable signal whose
// default is to end a process and that was sent to it with kill(2) (SIGHUP, SIGINT,
// SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
// SIGXFSZ, SIGPWR; the terminal's own reach the child directly) to the child, waits,
// and returns the raw wait status of the program; the caller then cleans up and ends
// the same way (exit_like).
int run_child(const std::function<void()>& body, const std::function<void(pid_t)>& started = {});

// The shell's view of a wait status: the exit code, or 128+N for signal N.
int shell_status(int wait_status);

// Ends the calling process the way the child ended: the same exit code, or death by
// the same signal (with the default action restored), else shell_status(). Flushes
// stdio and _exit()s: no atexit handler runs (it may be a forked child).
[[noreturn]] void exit_like(int wait_status);

}  // namespace appv
