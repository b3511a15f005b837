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
  CantCreate = 73,   // a name appv would create is taken: a command elsewhere on PATH, a file appv did not make, a key
  Io = 74,           // a system call failed on a file appv writes
  Busy = 75,         // the app is running and the request needs it stopped (EX_TEMPFAIL)
  NoPerm = 77,       // the machine's policy refuses the package (EX_NOPERM)
  CannotExecute = 126,  // the entry point exists in the view but cannot be executed
  NotFound = 127,    // the entry point does not exist in the view
};

// An error keeps, besides its one-line message, what failed as fields, so that callers
// can decide on errno (not on text) and advice can be chosen in one place:
//   op   — the failed operation as worded in the message ("cannot open"); empty when
//          the error is not a system call's
//   path — the file it failed on; empty when none
//   err  — errno captured at the failure; 0 when the error is not a system call's
class Error : public std::runtime_error {
 public:
  Error(Exit code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  Error(Exit code, std::string message, std::string op, std::string path, int err)
      : std::runtime_error(std::move(message)), code_(code), op_(std::move(op)), path_(std::move(path)), err_(err) {}
  Exit code() const noexcept { return code_; }
  const std::string& op() const noexcept { return op_; }
  const std::string& path() const noexcept { return path_; }
  int err() const noexcept { return err_; }

 private:
  Exit code_;
  std::string op_;
  std::string path_;
  int err_ = 0;
};

// Throws Error(code) with the message "OP 'PATH': strerror" and op, path and err set.
// Pass errno captured at the failure point; anything in between may clobber it.
[[noreturn]] void throw_sys(std::string_view op, std::string_view path, int err, Exit code = Exit::Io);

std::string errno_text(int err);

// The errno's symbolic name: "EPERM"; "errno N" for one glibc does not name.
std::string errno_name(int err);

}  // namespace appv
