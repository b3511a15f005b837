#include "launcher/progress_line.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "base/human_bytes.h"
#include "base/text.h"

namespace appv::cli {
namespace {

// A rate measured over less than this is mostly noise (a first burst from a buffer).
constexpr double kMinRateSeconds = 0.5;

// Columns of UTF-8 text: one per code point (no wide characters in appv's own words;
// a label from a registry is printable()-escaped ASCII or UTF-8).
size_t columns(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

// The last `keep` columns of `s`.
std::string_view tail_columns(std::string_view s, size_t keep) {
  size_t cols = columns(s);
  size_t i = 0;
  while (cols > keep && i < s.size()) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
    --cols;
  }
  return s.substr(i);
}

// The first `keep` columns of `s`.
std::string_view head_columns(std::string_view s, size_t keep) {
  size_t i = 0;
  for (size_t cols = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && cols++ == keep) break;
  }
  return s.substr(0, i);
}

}  // namespace

std::string ProgressLine::duration_text(double seconds) {
  const auto s = static_cast<uint64_t>(std::ceil(std::max(seconds, 0.0)));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
  return fmt::format("{} h {:02} min", s / 3600, s % 3600 / 60);
}

std::string ProgressLine::format(std::string_view label, const Progress& p, std::optional<double> rate, size_t width) {
  std::vector<std::string> parts;
  if (p.total_files > 0) parts.push_back(fmt::format("{}/{} files", p.files, p.total_files));
  else if (p.files > 0) parts.push_back(fmt::format("{} files", p.files));
  if (p.total_bytes > 0) {
    const uint64_t percent = std::min<uint64_t>(100, p.bytes >= p.total_bytes ? 100 : p.bytes * 100 / p.total_bytes);
    parts.push_back(fmt::format("{} / {} ({}%)", human_bytes(p.bytes), human_bytes(p.total_bytes), percent));
  } else {
    parts.push_back(human_bytes(p.bytes));
  }
  if (rate) {
    parts.push_back(fmt::format("{}/s", human_bytes(static_cast<uint64_t>(*rate))));
    if (p.total_bytes > p.bytes && *rate > 0) {
      parts.push_back(duration_text(static_cast<double>(p.total_bytes - p.bytes) / *rate) + " left");
    }
  }
  const std::string counts = fmt::format("{}", fmt::join(parts, ", "));
  const size_t room = width > 1 ? width - 1 : 0;  // the last column stays empty: no wrap
  const std::string shown = printable(label);
  // "label: counts"; a long label gives way first, from its start (its end, the tag
  // or file name, is what tells transfers apart), down to a few columns.
  const size_t fixed = columns(counts) + 2;
  std::string line;
  if (columns(shown) + fixed <= room) {
    line = shown + ": " + counts;
  } else if (room >= fixed + 8) {
    line = "..." + std::string(tail_columns(shown, room - fixed - 3)) + ": " + counts;
  } else {
    line = shown + ": " + counts;
  }
  return std::string(head_columns(line, room));
}

std::optional<std::string> ProgressLine::update(std::string_view label, const Progress& p, Clock::time_point now,
                                                size_t width) {
  if (label != label_) {
    label_ = std::string(label);
    started_ = now;
    start_bytes_ = p.bytes;
    drawn_.reset();
  }
  if (drawn_ && now - *drawn_ < kRedrawInterval) return std::nullopt;
  drawn_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  std::optional<double> rate;
  if (elapsed >= kMinRateSeconds && p.bytes >= start_bytes_) rate = static_cast<double>(p.bytes - start_bytes_) / elapsed;
  return format(label, p, rate, width);
}

}  // namespace appv::cli
