#include "manifests/registry.h"

#include <fmt/format.h>

#include "manifests/paths.h"

namespace appv {
namespace {

std::string quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "'";
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string gvariant_text(const RegistryValue& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return quote(s); }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::string s = fmt::format("{}", d);
      // GVariant reads "1" as an integer: keep a double a double.
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& list) const {
      std::string out = "[";
      for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quote(list[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{}, value);
}

std::string check_registry_key(std::string_view key) {
  if (key.empty() || key[0] != '/') return "must start with '/'";
  if (key.back() == '/') return "names a directory, not a key (it ends with '/')";
  std::vector<std::string> parts = split_nonempty(key, '/');
  if (parts.size() < 2) return "needs at least one directory above the key, as /org/example/key";
  if (!is_clean_absolute(key)) return "must not contain '//', '.' or '..' components";
  for (const std::string& p : parts) {
    for (char c : p) {
      if (!key_char(c)) return fmt::format("component '{}' may hold only letters, digits, '-', '_' and '.'", p);
    }
  }
  return {};
}

RegistryValues parse_keyfile(std::string_view text) {
  RegistryValues out;
  std::string group;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      group = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || group.empty()) continue;
    std::string key = fmt::format("/{}/{}", group, trim(line.substr(0, eq)));
    if (check_registry_key(key).empty()) out[key] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

std::string format_keyfile(const RegistryValues& values) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> groups;
  for (const auto& [key, value] : values) {
    size_t slash = key.find_last_of('/');
    groups[key.substr(1, slash - 1)].emplace_back(key.substr(slash + 1), value);
  }
  std::string out;
  for (const auto& [group, entries] : groups) {
    out += (out.empty() ? "" : "\n") + fmt::format("[{}]\n", group);
    for (const auto& [name, value] : entries) out += fmt::format("{}={}\n", name, value);
  }
  return out;
}

}  // namespace appv
