// How library code tells the user something without printing. Libraries never write
// to stdout or stderr: the command line implements a Reporter (deciding terminal or
// not, wording the prefixes, formatting sizes) and passes it in. What a command
// produces as its result is returned as data instead (sync's per-app outcomes).
//
// The base class reports nothing: it is the reporter of tests and of callers that
// have no user (silent_reporter()). Calls come from the thread that called the
// library; implementations need not be thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace appv {

// How far long work has come. A total of 0 is unknown; files stay 0 in work that
// counts none (a download).
struct Progress {
  uint64_t bytes = 0;
  uint64_t total_bytes = 0;
  uint64_t files = 0;
  uint64_t total_files = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;

  // Something the user should know that is not the command's result, one line,
  // no prefix and no newline: "pulled org.example.app 1.2".
  virtual void notice(std::string_view /*text*/) {}
  // Something that went wrong but did not stop the command: "auth.json names a
  // credential helper ...". Same shape as notice().
  virtual void warning(std::string_view /*text*/) {}

  // Long work (writing a package, extracting one, a download or an upload), named by a
  // label the user recognises ("pulling REG/REPO:TAG", "writing jq.appv"). A
  // transfer resumes an earlier interrupted one at `done` of `total` bytes.
  virtual void transfer_resumed(std::string_view /*label*/, uint64_t /*done*/, uint64_t /*total*/) {}
  // How far it has come; called often (per block), from inside the work: a reporter
  // that draws limits its own redraws.
  virtual void progress(std::string_view /*label*/, const Progress& /*so_far*/) {}
  // The work ended, finished or failed (a progress line may be taken down).
  virtual void progress_ended(std::string_view /*label*/) {}
};

// A reporter that reports nothing.
inline Reporter& silent_reporter() {
  static Reporter silent;
  return silent;
}

}  // namespace appv
