// Temporary files that a terminating signal must not leave behind. A command that
// writes large temporaries (pack, capture) installs the handler; every AtomicFile
// registers its temporary name while it exists, so Ctrl-C, `kill` or a closed terminal
// removes it before the process dies of the signal.
#pragma once

#include <signal.h>

namespace appv {

// Handles SIGINT, SIGTERM, SIGHUP and SIGQUIT: removes every registered file, then
// dies of the same signal (the caller's shell sees the usual status). Signals ignored
// when the process started (nohup, a background job's SIGINT) stay ignored.
void install_fatal_signal_cleanup();

// Registers `path` (copied; up to PATH_MAX bytes) for removal by the handler. Returns
// a slot for unregister_for_cleanup, or -1 when every slot (64) is taken, in which
// case the file is simply not removed on a signal. Async-signal-safe to pair with the
// handler; callable from any thread.
int register_for_cleanup(const char* path) noexcept;
void unregister_for_cleanup(int slot) noexcept;

// Holds SIGINT, SIGTERM, SIGHUP and SIGQUIT pending (sigprocmask) while it lives, for
// a step that must finish or be undone as a whole (files committed together, such as a
// key pair); the signal is delivered, and the handler runs, when it ends.
class FatalSignalsHeld {
 public:
  FatalSignalsHeld();
  ~FatalSignalsHeld();
  FatalSignalsHeld(const FatalSignalsHeld&) = delete;
  FatalSignalsHeld& operator=(const FatalSignalsHeld&) = delete;

 private:
  sigset_t old_;
};

}  // namespace appv
