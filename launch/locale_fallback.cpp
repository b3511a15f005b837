#include "launch/locale_fallback.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace appv {
namespace {

// The variables glibc reads, strongest first: LC_ALL overrides every category, a
// category's own variable overrides LANG.
constexpr std::array<std::string_view, 14> kLocaleVariables{
    "LC_ALL",     "LC_CTYPE",   "LC_NUMERIC", "LC_TIME",      "LC_COLLATE",     "LC_MONETARY",       "LC_MESSAGES",
    "LC_PAPER",   "LC_NAME",    "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION", "LANG"};

constexpr const char* kUtf8Fallback = "C.UTF-8";

// "fr_FR.UTF-8@euro" -> "UTF-8"; "" without a codeset.
std::string_view codeset_of(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return {};
  const size_t at = name.find('@', dot);
  return name.substr(dot + 1, at == std::string_view::npos ? std::string_view::npos : at - dot - 1);
}

// The name with its codeset normalised, as glibc looks it up: "fr_FR.UTF-8@euro" ->
// "fr_FR.utf8@euro".
std::string normalized_name(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::string(name);
  const std::string_view codeset = codeset_of(name);
  return fmt::format("{}.{}{}", name.substr(0, dot), normalize_codeset(codeset), name.substr(dot + 1 + codeset.size()));
}

bool builtin_locale(std::string_view name) { return name.empty() || name == "C" || name == "POSIX"; }

uint32_t word_at(std::string_view bytes, size_t offset) {
  uint32_t w = 0;
  std::memcpy(&w, bytes.data() + offset, sizeof w);
  return w;
}

}  // namespace

std::string normalize_codeset(std::string_view codeset) {
  std::string out;
  bool only_digits = true;
  for (char c : codeset) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
      only_digits = false;
    } else if (c >= 'a' && c <= 'z') {
      out += c;
      only_digits = false;
    } else if (c >= '0' && c <= '9') {
      out += c;
    }
  }
  return only_digits && !out.empty() ? "iso" + out : out;
}

bool locale_in_view(const std::string& name, const LocaleSources& sources) {
  if (builtin_locale(name)) return true;
  // glibc refuses names that could walk out of its locale directory.
  if (name.find('/') != std::string::npos || name == "." || name == "..") return false;
  const std::array<std::string, 2> candidates{name, normalized_name(name)};
  if (!sources.archive) return true;
  for (const std::string& c : candidates) {
    if (sources.archive->count(c)) return true;
  }
  for (const TreeProbe* tree : sources.trees) {
    for (const std::string& c : candidates) {
      if (tree->kind(fmt::format("{}/{}/LC_CTYPE", kLocaleDir, c)) != NodeKind::Absent) return true;
    }
  }
  return false;
}

LocaleFallback fall_back_locales(std::vector<std::string> env, const LocaleSources& sources) {
  LocaleFallback out;
  for (const std::string& e : env) {
    if (e.rfind("LOCPATH=", 0) == 0 && e.size() > 8) {
      out.env = std::move(env);
      return out;
    }
  }
  // Missing locale -> the variables that named it, and the fallback chosen.
  std::map<std::string, std::pair<std::vector<std::string_view>, std::string>> missing;
  for (std::string_view var : kLocaleVariables) {
    for (std::string& e : env) {
      if (e.size() <= var.size() || e.compare(0, var.size(), var) != 0 || e[var.size()] != '=') continue;
      const std::string value = e.substr(var.size() + 1);
      if (locale_in_view(value, sources)) continue;
      const bool utf8 = normalize_codeset(codeset_of(value)) == "utf8";
      const std::string fallback = utf8 && locale_in_view(kUtf8Fallback, sources) ? kUtf8Fallback : "C";
      e = fmt::format("{}={}", var, fallback);
      auto& [vars, chosen] = missing[value];
      vars.push_back(var);
      chosen = fallback;
    }
  }
  out.env = std::move(env);
  if (missing.empty()) return out;
  std::vector<std::string> names, fallbacks;
  for (const auto& [value, m] : missing) {
    names.push_back(fmt::format("{} ({})", value, fmt::join(m.first, ", ")));
    fallbacks.push_back(m.second);
  }
  out.notice = fmt::format("appv: locale{} {} {} not in this app's view ({}); the app runs with {} instead",
                           names.size() == 1 ? "" : "s", fmt::join(names, ", "), names.size() == 1 ? "is" : "are",
                           sources.where, fmt::join(fallbacks, ", "));
  return out;
}

std::optional<std::set<std::string>> locale_archive_names(std::string_view bytes) {
  // struct locarhead: magic, serial, namehash_offset, namehash_used, namehash_size, ...
  constexpr uint32_t kMagic = 0xde020109;
  constexpr size_t kHeaderWords = 14, kEntryBytes = 12, kMaxName = 256;
  if (bytes.size() < kHeaderWords * 4 || word_at(bytes, 0) != kMagic) return std::nullopt;
  const uint64_t table = word_at(bytes, 8);
  const uint64_t entries = word_at(bytes, 16);
  if (table + entries * kEntryBytes > bytes.size()) return std::nullopt;
  std::set<std::string> names;
  for (uint64_t i = 0; i < entries; ++i) {
    const size_t at = static_cast<size_t>(table + i * kEntryBytes);
    const uint32_t name_offset = word_at(bytes, at + 4);
    const uint32_t record_offset = word_at(bytes, at + 8);
    if (name_offset == 0 || record_offset == 0) continue;  // an empty slot
    if (name_offset >= bytes.size()) return std::nullopt;
    const std::string_view rest = bytes.substr(name_offset, kMaxName);
    const size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    names.emplace(rest.substr(0, nul));
  }
  return names;
}

}  // namespace appv
