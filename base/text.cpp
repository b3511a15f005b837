#include "base/text.h"

#include <fmt/format.h>

namespace appv {

std::string shell_quote(const std::string& s) {
  static constexpr const char* kPlain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+:@=,";
  if (!s.empty() && s.find_first_not_of(kPlain) == std::string::npos) return s;
  bool controls = false;
  for (unsigned char c : s) controls = controls || c < 0x20 || c == 0x7f;
  if (controls) {
    std::string out = "$'";
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
      else if (c == '\'' || c == '\\') out += std::string("\\") + static_cast<char>(c);
      else out += static_cast<char>(c);
    }
    return out + "'";
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace appv
