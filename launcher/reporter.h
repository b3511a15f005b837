// The command line's Reporter: what libraries report becomes text on stderr, in the
// words appv has always used ("appv: warning: ..."). Progress of long work is one
// line redrawn in place (progress_line.h), drawn only when stderr is a terminal, so
// scripts and CI logs see the same lines as always. -q (quiet()) leaves warnings
// and errors alone and silences the rest.
#pragma once

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "base/reporter.h"
#include "launcher/format.h"
#include "launcher/progress_line.h"

namespace appv::cli {

class StderrReporter final : public Reporter {
 public:
  void notice(std::string_view text) override {
    if (!quiet_) std::fprintf(stderr, "appv: %.*s\n", len(text), text.data());
  }
  void warning(std::string_view text) override {
    take_down();
    std::fprintf(stderr, "appv: warning: %.*s\n", len(text), text.data());
  }
  void transfer_resumed(std::string_view label, uint64_t done, uint64_t total) override {
    if (quiet_) return;
    take_down();
    std::fprintf(stderr, "appv: resuming %.*s at %s of %s\n", len(label), label.data(), human_bytes(done).c_str(),
                 human_bytes(total).c_str());
  }
  void progress(std::string_view label, const Progress& so_far) override {
    if (!terminal_ || quiet_) return;
    if (auto line = line_.update(label, so_far, ProgressLine::Clock::now(), width())) {
      std::fprintf(stderr, "\r%s\033[K", line->c_str());
      std::fflush(stderr);
      drawn_ = true;
    }
  }
  void progress_ended(std::string_view /*label*/) override {
    take_down();
    line_.reset();
  }

  bool quiet() const { return quiet_; }
  void set_quiet(bool quiet) { quiet_ = quiet; }

 private:
  static int len(std::string_view s) { return static_cast<int>(s.size()); }
  static size_t width() {
    winsize ws{};
    return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  }
  // Clears a progress line, so that a message is not written over its end.
  void take_down() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }
  const bool terminal_ = ::isatty(STDERR_FILENO) == 1;
  bool quiet_ = false;
  bool drawn_ = false;
  ProgressLine line_;
};

// The one reporter of this process (of this module: appv's modules have their own,
// told about -q when loaded).
inline StderrReporter& stderr_reporter() {
  static StderrReporter reporter;
  return reporter;
}

// -q/--quiet was given (add_quiet_flag, command_line.h).
inline bool quiet() { return stderr_reporter().quiet(); }

// A line saying what a command did ("installed jq 1.6 as ..."), on stdout, unless
// -q: then the exit status says it. Results a command exists to print (info, list,
// tags) use fmt::print and ignore -q.
template <typename... T>
void say(fmt::format_string<T...> format, T&&... args) {
  if (!quiet()) fmt::print(format, std::forward<T>(args)...);
}

}  // namespace appv::cli
