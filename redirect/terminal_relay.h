// The app's terminal in interactive use: a pseudo-terminal of appv's own, relayed to
// the caller's terminal, as sudo's use_pty and `ssh -t` do.
//
// Why: a process holding the caller's terminal can read what the user types next (a
// read from a terminal that is not one's controlling terminal has no job-control
// check) and, in the caller's session, make itself the foreground process group — also
// after appv returned, for a process the app left running. With the relay the app and
// everything it starts hold only the relay's pseudo-terminal (every terminal appv
// would pass on is replaced by it); when the app ends, appv hangs it up (what
// processes still holding it read or write fails) and gives the caller's terminal
// back untouched. TIOCSTI into it reaches nobody but the app itself.
//
// Job control keeps working: the app is the foreground process group of a session
// whose controlling terminal is the pseudo-terminal (led by the process that waits
// for it), so Ctrl-C, Ctrl-Z and a shell's own job control act inside it; when the
// app itself stops (Ctrl-Z), whoever waits for it reports the stop and appv stops its
// own process group the same way, so the caller's shell sees the job stopped; `fg`
// continues appv, which continues the app. Window size changes follow.
//
// Used when standard input and standard output are both the caller's terminal (an
// interactive launch). A pipeline or a redirection (`appv run app | less`) keeps the
// caller's descriptors, and the app keeps the caller's session: reading the terminal
// there would take keystrokes meant for the other side of the pipe.
#pragma once

#include <sys/types.h>
#include <termios.h>

#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace appv {

class TerminalRelay {
 public:
  // A relay when fds 0 and 1 are the same terminal, nullopt otherwise. The
  // pseudo-terminal starts with the caller's settings and window size. Throws
  // Exit::Environment when none can be made (/dev/ptmx), or /proc/self/fd cannot be
  // listed.
  static std::optional<TerminalRelay> for_interactive_use();

  TerminalRelay(TerminalRelay&&) noexcept = default;
  TerminalRelay& operator=(TerminalRelay&&) = delete;
  TerminalRelay(const TerminalRelay&) = delete;
  TerminalRelay& operator=(const TerminalRelay&) = delete;
  // Gives the caller's terminal its settings back if the relay changed them.
  ~TerminalRelay();

  // The host path of the pseudo-terminal the app gets ("/dev/pts/N"): bound at
  // /dev/console in the view, where ttyname(3) finds it.
  const std::string& app_terminal() const { return slave_path_; }

  // In whoever forks and waits for the app (the PID namespace's init, a joiner),
  // before the fork: a new session with the pseudo-terminal as its controlling
  // terminal. The waiter leads the session, so that the app's process group is not
  // orphaned (the kernel discards the terminal's stop signals to an orphaned one).
  // Throws Exit::Environment naming the call that failed.
  void lead_session() const;

  // In the app's process, before exec: a process group of its own, the
  // pseudo-terminal's foreground, on every descriptor this process had open on a
  // terminal when the relay was made (listed then, from the host's /proc).
  // Throws Exit::Environment naming the call that failed.
  void attach_app() const;

  // In whoever waits for the app (the PID namespace's init, a joiner), after forking
  // it: report_stop(sig) says the app stopped by `sig` (waitpid WUNTRACED). The
  // descriptor is kept open by that process; it is close-on-exec.
  int stop_reports() const { return stops_writer_.get(); }
  void report_stop(int sig) const;

  // In appv, once the app's processes are forked: drops appv's own copy of the
  // pseudo-terminal, so that the master reads EIO when the last holder is gone.
  void app_started();

  // In appv: relays input and output until `done` is readable or hung up (the app's
  // status, or a pidfd). Puts the caller's terminal in raw mode while appv is in its
  // foreground, reads nothing while it is in the background, passes window sizes on,
  // stops appv's process group when the app stops and continues the app after.
  void relay_until(int done);

  // After the app ended: passes on what it wrote that is still buffered, restores the
  // caller's terminal and hangs the pseudo-terminal up.
  void finish();

 private:
  TerminalRelay() = default;
  bool in_foreground() const;
  void take_terminal();     // raw mode, if appv is in the foreground
  void take_typed_ahead();
  void give_back_terminal();
  void pass_window_size() const;
  void suspend_like_app(int sig);
  void hang_up_app() const;
  // Up to `reads_at_most` reads of 16 KiB; false once the pseudo-terminal reads EIO
  // (no holder left).
  bool pass_output(int reads_at_most);
  void pass_input();
  void flush_pending_input();

  UniqueFd master_, slave_;
  std::string slave_path_;
  int caller_in_ = 0, caller_out_ = 1;
  std::vector<int> caller_terminals_;  // this process's inheritable terminal descriptors
  termios caller_settings_{};
  bool raw_ = false;
  bool input_open_ = true;
  std::vector<char> pending_input_;
  UniqueFd stops_reader_, stops_writer_;
};

}  // namespace appv
