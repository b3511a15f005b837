#include "launch/environment.h"

#include <array>
#include <map>

namespace appv {
namespace {

constexpr const char* kSystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

constexpr std::array<std::string_view, 24> kKept{
    "HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ", "DISPLAY", "WAYLAND_DISPLAY",
    "XAUTHORITY", "XDG_RUNTIME_DIR", "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
    "XDG_CACHE_HOME", "XDG_STATE_HOME", "DBUS_SESSION_BUS_ADDRESS", "PULSE_SERVER", "PIPEWIRE_REMOTE", "NO_COLOR",
    "SSH_AUTH_SOCK"};

}  // namespace

bool kept_in_clean_environment(std::string_view name) {
  if (name.substr(0, 3) == "LC_") return true;
  for (std::string_view k : kKept) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> build_environment(const char* const* host, const Environment& env, const Tokens& tokens) {
  std::map<std::string, std::string> vars;
  for (const char* const* e = host; e && *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    if (env.clean && !kept_in_clean_environment(name)) continue;
    vars.emplace(std::string(name), std::string(kv.substr(eq + 1)));
  }
  if (env.clean) vars["PATH"] = kSystemPath;
  vars["GSETTINGS_BACKEND"] = "keyfile";
  auto value = [&](const std::string& name, const std::string& text) {
    return expand_tokens(text, tokens, "env value of " + name);
  };
  for (const std::string& name : env.unset) vars.erase(name);
  for (const auto& [name, text] : env.set) vars[name] = value(name, text);
  for (const auto& [name, text] : env.prepend) {
    std::string v = value(name, text);
    auto it = vars.find(name);
    vars[name] = (it == vars.end() || it->second.empty()) ? v : v + ":" + it->second;
  }
  for (const auto& [name, text] : env.append) {
    std::string v = value(name, text);
    auto it = vars.find(name);
    vars[name] = (it == vars.end() || it->second.empty()) ? v : it->second + ":" + v;
  }
  for (const auto& [name, v] : tokens) {
    if (name.rfind("APPV_", 0) == 0) vars[name] = v;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, v] : vars) out.push_back(name + "=" + v);
  return out;
}

}  // namespace appv
