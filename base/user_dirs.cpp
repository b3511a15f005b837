#include "base/user_dirs.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <vector>

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

// `dir`/`name` with one slash between them, also for "/" and "/home/u/".
std::string join(std::string dir, const std::string& name) {
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir + "/" + name;
}

// realpath(3), or "" where it fails.
std::string kernel_real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

}  // namespace

std::string home_dir() { return absolute_env("HOME"); }

std::string xdg_dir(XdgDir which) {
  const Spec s = spec(which);
  if (std::string v = absolute_env(s.variable); !v.empty()) return v;
  const std::string home = home_dir();
  if (home.empty() || !s.below_home) return {};
  return join(home, s.below_home);
}

std::string require_xdg_dir(XdgDir which) {
  std::string dir = xdg_dir(which);
  if (dir.empty()) {
    throw Error(Exit::Environment, fmt::format("neither {} nor HOME is set to an absolute path", spec(which).variable));
  }
  return real_user_path(dir);
}

std::string real_user_path(const std::string& path) {
  // The components realpath(3) did not resolve, last first: the parent is tried until
  // one resolves (at worst "/").
  std::vector<std::string> rest;
  std::string head = path;
  std::string real;
  for (;;) {
    real = kernel_real_path(head);
    if (!real.empty()) break;
    while (head.size() > 1 && head.back() == '/') head.pop_back();
    const size_t slash = head.find_last_of('/');
    if (slash == std::string::npos || head.size() <= 1) {
      real.assign(1, '/');  // not = "/": GCC 12 -O2 warns falsely (-Wrestrict, PR 105329)
      break;
    }
    rest.push_back(head.substr(slash + 1));
    head.erase(slash == 0 ? 1 : slash);
  }
  for (auto it = rest.rbegin(); it != rest.rend(); ++it) {
    if (it->empty() || *it == ".") continue;
    if (*it == "..") {
      if (real.size() > 1) real.erase(std::max<size_t>(real.find_last_of('/'), 1));
      continue;
    }
    real = join(real, *it);
  }
  return real;
}

std::vector<gid_t> supplementary_groups() {
  std::vector<gid_t> out;
  const int n = ::getgroups(0, nullptr);
  if (n <= 0) return out;
  out.resize(static_cast<size_t>(n));
  out.resize(static_cast<size_t>(std::max(0, ::getgroups(n, out.data()))));
  return out;
}

}  // namespace appv
