#include "manifests/paths.h"

#include <vector>

namespace appv {

bool is_clean_absolute(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

std::string normalize_absolute(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

bool path_has_prefix(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

bool has_wildcard(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

namespace {

// Matches one character class starting at pattern[p] == '['. Sets `next` past ']'.
// Returns false for a malformed class, which then matches '[' literally.
bool class_match(std::string_view pattern, size_t p, char c, bool& matched, size_t& next) {
  size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool any = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    char lo = pattern[i];
    char hi = lo;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      hi = pattern[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) any = true;
    ++i;
  }
  if (i >= pattern.size()) return false;
  matched = (any != negate) && c != '/';
  next = i + 1;
  return true;
}

}  // namespace

namespace {
bool glob_match_whole(std::string_view pattern, std::string_view path);
}

bool glob_match(std::string_view pattern, std::string_view path) {
  if (!has_wildcard(pattern)) return path_has_prefix(path, pattern);
  // A pattern that matches a directory also covers everything below it.
  for (size_t slash = path.find('/', 1); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (glob_match_whole(pattern, path.substr(0, slash))) return true;
  }
  return glob_match_whole(pattern, path);
}

namespace {

bool glob_match_whole(std::string_view pattern, std::string_view path) {
  // Dynamic programming over (pattern position, path position): linear in the
  // product of the lengths, so no pattern can make matching explode.
  const size_t P = pattern.size();
  const size_t S = path.size();
  std::vector<char> memo((P + 1) * (S + 1), -1);
  auto at = [&](size_t p, size_t s) -> char& { return memo[p * (S + 1) + s]; };

  auto match = [&](auto&& self, size_t p, size_t s) -> bool {
    char& slot = at(p, s);
    if (slot >= 0) return slot;
    bool result = false;
    if (p == P) {
      result = s == S;
    } else if (pattern[p] == '*') {
      bool cross = p + 1 < P && pattern[p + 1] == '*';
      size_t rest = cross ? p + 2 : p + 1;
      // "**/" also matches zero directories: "/a/**/b" matches "/a/b".
      if (cross && rest < P && pattern[rest] == '/' && self(self, rest + 1, s)) {
        result = true;
      } else {
        for (size_t k = s;; ++k) {
          if (self(self, rest, k)) { result = true; break; }
          if (k == S || (!cross && path[k] == '/')) break;
        }
      }
    } else if (s < S) {
      if (pattern[p] == '?') {
        result = path[s] != '/' && self(self, p + 1, s + 1);
      } else if (pattern[p] == '[') {
        bool matched = false;
        size_t next = 0;
        if (class_match(pattern, p, path[s], matched, next)) {
          result = matched && self(self, next, s + 1);
        } else {
          result = path[s] == '[' && self(self, p + 1, s + 1);
        }
      } else {
        result = pattern[p] == path[s] && self(self, p + 1, s + 1);
      }
    }
    slot = result;
    return result;
  };
  return match(match, 0, 0);
}

}  // namespace

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> split_nonempty(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace appv
