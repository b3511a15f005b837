// The command line's Reporter: what libraries report becomes text on stderr, in the
// words appv has always used ("appv: warning: ..."). Transfer progress is one line
// rewritten in place, shown only when stderr is a terminal.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "base/reporter.h"
#include "launcher/format.h"

namespace appv::cli {

class StderrReporter final : public Reporter {
 public:
  void notice(std::string_view text) override { std::fprintf(stderr, "appv: %.*s\n", len(text), text.data()); }
  void warning(std::string_view text) override { std::fprintf(stderr, "appv: warning: %.*s\n", len(text), text.data()); }
  void transfer_resumed(std::string_view label, uint64_t done, uint64_t total) override {
    std::fprintf(stderr, "appv: resuming %.*s at %s of %s\n", len(label), label.data(), human_bytes(done).c_str(),
                 human_bytes(total).c_str());
  }
  void transfer_progress(std::string_view label, uint64_t done, uint64_t total) override {
    if (!terminal_) return;
    std::fprintf(stderr, "\r%.*s: %s / %s   ", len(label), label.data(), human_bytes(done).c_str(), human_bytes(total).c_str());
  }
  void transfer_ended(std::string_view /*label*/) override {
    if (terminal_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  static int len(std::string_view s) { return static_cast<int>(s.size()); }
  const bool terminal_ = ::isatty(STDERR_FILENO) == 1;
};

// The one reporter of this process.
inline Reporter& stderr_reporter() {
  static StderrReporter reporter;
  return reporter;
}

}  // namespace appv::cli
