// The parts a parent and its forked children share while appv starts an app: the
// error channel (a child that fails before exec tells the parent why) and the
// forwarding of signals. Internal to redirect/: child.cpp and pid_namespace.cpp.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <iterator>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {

// A close-on-exec pipe: every process of the launch that may fail before exec holds
// the write end, so the parent reads end-of-file exactly when each has exec'd or
// closed it, and an error's status and message (4 bytes, native order, then the text)
// if one failed.
class ErrorChannel {
 public:
  ErrorChannel();
  // In a child: reports `code` and `message`, then _exit(code).
  [[noreturn]] void fail(Exit code, const char* message) const;
  // In a child: runs `body`, which must not return (it execs or exits); an exception
  // it throws is reported through fail().
  template <class Body>
  [[noreturn]] void run(Body&& body) const {
    try {
      body();
      fail(Exit::Internal, "the child returned without exec'ing");
    } catch (const Error& e) {
      fail(e.code(), e.what());
    } catch (const std::exception& e) {
      fail(Exit::Internal, e.what());
    }
  }
  // In the parent, once: closes its write end, then blocks until every holder has
  // exec'd or closed it. Returns what was reported ("" if nothing was).
  std::string drain();
  // Throws the reported error, if any (what drain() returned).
  static void throw_reported(const std::string& report);
  void close_writer() { writer_.reset(); }
  void close_reader() { reader_.reset(); }

 private:
  UniqueFd reader_, writer_;
};

// While alive, every catchable signal whose default ends a process (SIGHUP, SIGINT,
// SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
// SIGXFSZ, SIGPWR) that someone sent with kill(2) is passed on to `target`, so appv
// outlives the app and cleans up after it. Signals the kernel generated (the
// terminal's Ctrl-C, a hangup) are not passed on: they reached the app's process group
// directly, and passing them on would deliver them twice. One at a time per process.
class SignalForwarding {
 public:
  explicit SignalForwarding(pid_t target);
  ~SignalForwarding();
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;
  void retarget(pid_t target);

  static constexpr int kSignals[] = {SIGHUP,  SIGINT,    SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE,
                                     SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPWR};

 private:
  struct sigaction old_[std::size(kSignals)];
};

// waitpid(pid) until it reports, retrying on EINTR; throws on any other error.
int wait_for(pid_t pid);

}  // namespace appv
