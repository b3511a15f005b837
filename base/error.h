// appv's one error type. Library code throws appv::Error; only the command line
// turns it into a message and an exit status (launcher/main.cpp).
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace appv {

// Exit statuses are part of appv's interface (README: "Exit codes"). They follow
// sysexits.h so they rarely collide with an application's own small statuses.
enum class Exit : int {
  Ok = 0,
  Failure = 1,       // anything not listed below
  Usage = 64,        // bad command line
  BadInput = 65,     // bad package or manifest: corrupt, hostile, inconsistent
  NoInput = 66,      // a named input file does not exist or cannot be read
  Environment = 69,  // the host lacks what appv needs (user namespaces, overlayfs)
  Internal = 70,     // a bug in appv
  Io = 74,           // a system call failed on a file appv writes
  Busy = 75,         // the app is running and the request needs it stopped (EX_TEMPFAIL)
  NoPerm = 77,       // the machine's policy refuses the package (EX_NOPERM)
  CannotExecute = 126,  // the entry point exists in the view but cannot be executed
  NotFound = 127,    // the entry point does not exist in the view
};

class Error : public std::runtime_error {
 public:
  Error(Exit code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  Exit code() const noexcept { return code_; }

 private:
  Exit code_;
};

// Throws Exit::Io (or Exit::NoInput for ENOENT/EACCES on reads) with "OP 'PATH': strerror".
// Pass errno captured at the failure point; anything in between may clobber it.
[[noreturn]] void throw_sys(std::string_view op, std::string_view path, int err, Exit code = Exit::Io);

std::string errno_text(int err);

}  // namespace appv
