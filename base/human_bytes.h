// How appv writes a size for people, in messages and progress lines: "812 B",
// "45.3 kB", "12.0 MB", "1.2 GB" (decimal units, one decimal from 10 kB on).
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace appv {

inline std::string human_bytes(uint64_t n) {
  if (n < 10'000) return fmt::format("{} B", n);
  if (n < 10'000'000) return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
  if (n < 10'000'000'000ull) return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
  return fmt::format("{:.1f} GB", static_cast<double>(n) / 1e9);
}

}  // namespace appv
