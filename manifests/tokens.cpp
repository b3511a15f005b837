#include "manifests/tokens.h"

#include <array>
#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "base/user_dirs.h"

namespace appv {
namespace {

constexpr std::array<std::string_view, 7> kPathTokens{"HOME", "USER", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                                      "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"};

bool name_char(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

// Walks `text`, calling `literal` for plain text and `token` for each token name
// ("~" is reported as HOME). Returns "" or the syntax error.
template <typename Literal, typename Token>
std::string scan(std::string_view text, Literal literal, Token token) {
  size_t i = 0;
  if (!text.empty() && text[0] == '~' && (text.size() == 1 || text[1] == '/')) {
    if (std::string err = token("HOME"); !err.empty()) return err;
    i = 1;
  }
  while (i < text.size()) {
    size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, dollar - i));
    i = dollar + 1;
    if (i < text.size() && text[i] == '$') {
      literal("$");
      ++i;
      continue;
    }
    bool braced = i < text.size() && text[i] == '{';
    size_t start = braced ? i + 1 : i;
    size_t end = start;
    while (end < text.size() && name_char(text[end], end == start)) ++end;
    if (end == start) return fmt::format("'$' at offset {} is not followed by a name (write '$$' for a literal '$')", dollar);
    if (braced) {
      if (end >= text.size() || text[end] != '}') return fmt::format("'${{' at offset {} is not closed by '}}'", dollar);
      i = end + 1;
    } else {
      i = end;
    }
    if (std::string err = token(text.substr(start, end - start)); !err.empty()) return err;
  }
  return {};
}

}  // namespace

Tokens user_tokens() {
  Tokens t;
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  if (user && *user) t["USER"] = user;
  // Without HOME there is no per-user token: a package's paths below the user's
  // directories would otherwise point somewhere unrelated to the user.
  if (std::string h = home_dir(); !h.empty()) {
    t["HOME"] = h;
    t["XDG_CONFIG_HOME"] = xdg_dir(XdgDir::Config);
    t["XDG_DATA_HOME"] = xdg_dir(XdgDir::Data);
    t["XDG_CACHE_HOME"] = xdg_dir(XdgDir::Cache);
    t["XDG_STATE_HOME"] = xdg_dir(XdgDir::State);
  }
  if (std::string run = xdg_dir(XdgDir::Runtime); !run.empty()) t["XDG_RUNTIME_DIR"] = run;
  return t;
}

bool is_path_token(std::string_view name) {
  for (std::string_view t : kPathTokens) {
    if (t == name) return true;
  }
  return false;
}

bool is_env_token(std::string_view name) { return is_path_token(name) || name == "APPV_ROOT" || name == "APPV_APP_ID"; }

std::string expand_tokens(std::string_view text, const Tokens& tokens, std::string_view what) {
  std::string out;
  std::string err = scan(
      text, [&](std::string_view s) { out += s; },
      [&](std::string_view name) -> std::string {
        auto it = tokens.find(name);
        if (it == tokens.end()) return fmt::format("${{{}}} is not set for this user", name);
        out += it->second;
        return {};
      });
  if (!err.empty()) throw Error(Exit::BadInput, fmt::format("{} '{}': {}", what, text, err));
  return out;
}

std::string check_tokens(std::string_view text, bool (*allowed)(std::string_view)) {
  return scan(
      text, [](std::string_view) {},
      [&](std::string_view name) -> std::string {
        return allowed(name) ? std::string() : fmt::format("unknown token ${{{}}}", name);
      });
}

}  // namespace appv
