#include "base/text.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"

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

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (2..4) and its code point, or 0
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t len = 0;
  char32_t min = 0;
  if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b(k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

bool hidden_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string escape_for_terminal(std::string_view s, bool double_backslash) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' && double_backslash) {
      out += "\\\\";
      ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else {
      char32_t cp = 0;
      const size_t len = utf8_sequence(s, i, cp);
      if (len == 0) {
        out += fmt::format("\\x{:02x}", c);
        ++i;
      } else {
        if (hidden_code_point(cp)) out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
        else out.append(s.substr(i, len));
        i += len;
      }
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view s) { return escape_for_terminal(s, true); }
std::string printable_message(std::string_view s) { return escape_for_terminal(s, false); }

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

std::vector<std::string> shell_split(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == line.size()) throw Error(Exit::Usage, fmt::format("a command ends in a backslash: {}", line));
      word += line[i];
    } else if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) throw Error(Exit::Usage, fmt::format("unterminated ' in the command: {}", line));
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i == line.size()) throw Error(Exit::Usage, fmt::format("unterminated \" in the command: {}", line));
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() && std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) ++i;
        word += line[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

namespace {

// Optimal string alignment distance: Levenshtein plus transpositions of neighbours
// ("pakc" is one edit from "pack"), the typo people make most.
size_t typo_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty() || std::find(candidates.begin(), candidates.end(), word) != candidates.end()) return std::nullopt;
  const size_t allowed = word.size() <= 5 ? 1 : 2;
  const std::string* best = nullptr;
  size_t best_distance = allowed + 1;
  for (const std::string& c : candidates) {
    const size_t distance = typo_distance(word, c);
    if (distance < best_distance) best = &c, best_distance = distance;
  }
  if (best) return *best;
  const std::string* prefixed = nullptr;
  for (const std::string& c : candidates) {
    if (word.size() < 2 || c.compare(0, word.size(), word) != 0) continue;
    if (prefixed) return std::nullopt;  // ambiguous: "--re" begins several options
    prefixed = &c;
  }
  if (prefixed) return *prefixed;
  return std::nullopt;
}

}  // namespace appv
