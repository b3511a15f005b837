#include "base/user_dirs.h"

#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

struct Spec {
  const char* variable;
  const char* below_home;  // nullptr: no default
};

Spec spec(XdgDir which) {
  switch (which) {
    case XdgDir::Config: return {"XDG_CONFIG_HOME", ".config"};
    case XdgDir::Data: return {"XDG_DATA_HOME", ".local/share"};
    case XdgDir::Cache: return {"XDG_CACHE_HOME", ".cache"};
    case XdgDir::State: return {"XDG_STATE_HOME", ".local/state"};
    case XdgDir::Runtime: return {"XDG_RUNTIME_DIR", nullptr};
  }
  return {"XDG_RUNTIME_DIR", nullptr};
}

std::string absolute_env(const char* name) {
  const char* v = std::getenv(name);
  return v && v[0] == '/' ? std::string(v) : std::string();
}

}  // namespace

std::string home_dir() { return absolute_env("HOME"); }

std::string xdg_dir(XdgDir which) {
  const Spec s = spec(which);
  if (std::string v = absolute_env(s.variable); !v.empty()) return v;
  const std::string home = home_dir();
  if (home.empty() || !s.below_home) return {};
  return fmt::format("{}/{}", home, s.below_home);
}

std::string require_xdg_dir(XdgDir which) {
  std::string dir = xdg_dir(which);
  if (dir.empty()) {
    throw Error(Exit::Environment, fmt::format("neither {} nor HOME is set to an absolute path", spec(which).variable));
  }
  return dir;
}

}  // namespace appv
