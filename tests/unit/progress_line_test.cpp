// The progress line: its text for known and unknown totals, rate and time left, how
// it fits a terminal's width, and how often it is redrawn, on a clock the test sets.
#include <catch2/catch.hpp>

#include "launcher/progress_line.h"

using appv::Progress;
using appv::cli::ProgressLine;
using namespace std::chrono_literals;

namespace {

const ProgressLine::Clock::time_point t0{};

}  // namespace

TEST_CASE("the line shows files, bytes, percentage, rate and time left") {
  const Progress p{45'300'000, 120'000'000, 812, 1024};
  CHECK(ProgressLine::format("writing jq.appv", p, 12'300'000.0, 200) ==
        "writing jq.appv: 812/1024 files, 45.3 MB / 120.0 MB (37%), 12.3 MB/s, 7 s left");
}

TEST_CASE("a download counts bytes only") {
  CHECK(ProgressLine::format("pulling r/jq:1.6", Progress{5'000'000, 20'000'000, 0, 0}, 1'000'000.0, 200) ==
        "pulling r/jq:1.6: 5.0 MB / 20.0 MB (25%), 1.0 MB/s, 15 s left");
}

TEST_CASE("unknown totals: no percentage and no time left") {
  CHECK(ProgressLine::format("pushing x.appv", Progress{812, 0, 0, 0}, 100.0, 200) == "pushing x.appv: 812 B, 100 B/s");
  CHECK(ProgressLine::format("writing x", Progress{812, 0, 3, 0}, std::nullopt, 200) == "writing x: 3 files, 812 B");
}

TEST_CASE("no rate yet: no rate and no time left") {
  CHECK(ProgressLine::format("extracting jq", Progress{0, 20'000'000, 0, 10}, std::nullopt, 200) ==
        "extracting jq: 0/10 files, 0 B / 20.0 MB (0%)");
}

TEST_CASE("done: 100% and no time left") {
  CHECK(ProgressLine::format("x", Progress{20, 20, 1, 1}, 10.0, 200) == "x: 1/1 files, 20 B / 20 B (100%), 10 B/s");
}

TEST_CASE("time left reads in seconds, minutes or hours") {
  CHECK(ProgressLine::duration_text(0) == "0 s");
  CHECK(ProgressLine::duration_text(6.2) == "7 s");
  CHECK(ProgressLine::duration_text(125) == "2 min 05 s");
  CHECK(ProgressLine::duration_text(3720) == "1 h 02 min");
}

TEST_CASE("the line fits the width, shortening the label from its start") {
  const Progress p{1'000, 0, 0, 0};  // "1.0 kB"
  const std::string label = "pulling registry.example.com/tools/jq:1.6";
  CHECK(ProgressLine::format(label, p, std::nullopt, 80) == label + ": 1.0 kB");
  // 30 columns: 29 used, the label's end kept.
  const std::string narrow = ProgressLine::format(label, p, std::nullopt, 30);
  CHECK(narrow == "...e.com/tools/jq:1.6: 1.0 kB");
  CHECK(narrow.size() == 29);
  // Narrower than the counts themselves: cut at the width, never wrapped.
  CHECK(ProgressLine::format(label, p, std::nullopt, 10) == "pulling r");
  CHECK(ProgressLine::format(label, p, std::nullopt, 0).empty());
}

TEST_CASE("the width counts characters, not bytes") {
  CHECK(ProgressLine::format("écrire", Progress{1, 0, 0, 0}, std::nullopt, 12) == "écrire: 1 B");
  // Cut inside the label: whole characters only.
  CHECK(ProgressLine::format("ééééé", Progress{1, 0, 0, 0}, std::nullopt, 4) == "ééé");
}

TEST_CASE("a label from a registry is shown escaped") {
  CHECK(ProgressLine::format("pulling \x1b[2Jx", Progress{1, 0, 0, 0}, std::nullopt, 80) == "pulling \\x1b[2Jx: 1 B");
}

TEST_CASE("redraws come at most every 100 ms") {
  ProgressLine line;
  CHECK(line.update("w", Progress{0, 100, 0, 0}, t0, 80));  // the first draws at once
  CHECK_FALSE(line.update("w", Progress{10, 100, 0, 0}, t0 + 50ms, 80));
  CHECK_FALSE(line.update("w", Progress{20, 100, 0, 0}, t0 + 99ms, 80));
  CHECK(line.update("w", Progress{30, 100, 0, 0}, t0 + 100ms, 80));
  CHECK_FALSE(line.update("w", Progress{40, 100, 0, 0}, t0 + 150ms, 80));
  CHECK(line.update("w", Progress{50, 100, 0, 0}, t0 + 200ms, 80));
}

TEST_CASE("the rate is measured from the label's first update, once half a second has passed") {
  ProgressLine line;
  // A resumed download starts at 4 MB: those bytes are not counted in the rate.
  CHECK(*line.update("pull", Progress{4'000'000, 14'000'000, 0, 0}, t0, 200) == "pull: 4.0 MB / 14.0 MB (28%)");
  CHECK(*line.update("pull", Progress{4'100'000, 14'000'000, 0, 0}, t0 + 400ms, 200) == "pull: 4.1 MB / 14.0 MB (29%)");
  CHECK(*line.update("pull", Progress{6'000'000, 14'000'000, 0, 0}, t0 + 2s, 200) ==
        "pull: 6.0 MB / 14.0 MB (42%), 1.0 MB/s, 8 s left");
}

TEST_CASE("a new label, or a reset, starts a new measurement and draws at once") {
  ProgressLine line;
  CHECK(line.update("a", Progress{0, 0, 0, 0}, t0, 80));
  CHECK(*line.update("b", Progress{1'000, 0, 0, 0}, t0 + 10ms, 80) == "b: 1.0 kB");
  line.reset();
  CHECK(*line.update("b", Progress{2'000, 0, 0, 0}, t0 + 20ms, 80) == "b: 2.0 kB");
}
