// The progress line appv draws on a terminal for long work (pack, first-run
// extraction, pull, push, sync): one line, redrawn in place at most ten times a
// second, e.g.
//   writing jq.appv: 812/1024 files, 45.3 MB / 120.0 MB (37%), 12.3 MB/s, 6 s left
// This is the pure part: what to draw and when, from counts and a clock the caller
// passes in (so tests run on fixed times); StderrReporter (reporter.h) draws it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/reporter.h"

namespace appv::cli {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kRedrawInterval = std::chrono::milliseconds(100);

  // The line for `so_far` at `now`, at most `width` columns (a terminal's width; the
  // last column stays free so the line never wraps), or nullopt when the previous
  // line was drawn less than kRedrawInterval ago. A new label starts a new
  // measurement: the rate counts the bytes since the first call for that label.
  std::optional<std::string> update(std::string_view label, const Progress& so_far, Clock::time_point now, size_t width);

  // Forgets the label: the next update draws at once and measures afresh.
  void reset() { label_.clear(); }

  // The text itself. `bytes_per_second` is unknown (nullopt) until a rate can be
  // told; "time left" needs it and a known total. `label` is shortened from its
  // start ("...pository:tag") before anything else is cut.
  static std::string format(std::string_view label, const Progress& so_far, std::optional<double> bytes_per_second,
                            size_t width);

  // "6 s", "2 min 05 s", "1 h 02 min".
  static std::string duration_text(double seconds);

 private:
  std::string label_;
  Clock::time_point started_{};
  uint64_t start_bytes_ = 0;
  std::optional<Clock::time_point> drawn_;
};

}  // namespace appv::cli
