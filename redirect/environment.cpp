#include "redirect/environment.h"

#include <algorithm>
#include <map>

namespace appv {

std::vector<std::string> build_environment(const char* const* host, const Environment& env,
                                           const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> vars;
  for (const char* const* e = host; e && *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const std::string& name : env.unset) vars.erase(name);
  for (const auto& [name, value] : env.set) vars[name] = value;
  for (const auto& [name, value] : env.prepend) {
    auto it = vars.find(name);
    vars[name] = (it == vars.end() || it->second.empty()) ? value : value + ":" + it->second;
  }
  for (const auto& [name, value] : env.append) {
    auto it = vars.find(name);
    vars[name] = (it == vars.end() || it->second.empty()) ? value : it->second + ":" + value;
  }
  for (const auto& [name, value] : extra) vars[name] = value;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

}  // namespace appv
