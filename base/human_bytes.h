// How appv writes a size for people, in messages, progress lines and reports: "812 B",
// "45.3 kB", "12.0 MB", "1.2 GB" (decimal units, the largest that keeps the number
// below 1000, one decimal). Every size appv prints for people goes through here, so
// one run never shows the same size in two forms.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace appv {

inline std::string human_bytes(uint64_t n) {
  // 999'950 bytes would round to "1000.0 kB": such values take the next unit.
  if (n < 1000) return fmt::format("{} B", n);
  if (n < 999'950) return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
  if (n < 999'950'000) return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
  if (n < 999'950'000'000ull) return fmt::format("{:.1f} GB", static_cast<double>(n) / 1e9);
  return fmt::format("{:.1f} TB", static_cast<double>(n) / 1e12);
}

}  // namespace appv
