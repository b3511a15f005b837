#include "packager/trace_profile.h"

#include <sys/stat.h>

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"

namespace appv {

std::vector<std::string> profile_environment(const std::vector<std::string>& host, const std::string& home) {
  const std::map<std::string, std::string> profile{{"HOME", home},
                                                   {"XDG_CONFIG_HOME", home + "/.config"},
                                                   {"XDG_DATA_HOME", home + "/.local/share"},
                                                   {"XDG_CACHE_HOME", home + "/.cache"},
                                                   {"XDG_STATE_HOME", home + "/.local/state"}};
  std::vector<std::string> out;
  std::string real_home;
  bool xauthority = false;
  for (const std::string& e : host) {
    const std::string name = e.substr(0, e.find('='));
    if (name == "HOME") real_home = e.substr(5);
    xauthority = xauthority || name == "XAUTHORITY";
    if (!profile.count(name)) out.push_back(e);
  }
  for (const auto& [name, value] : profile) out.push_back(fmt::format("{}={}", name, value));
  // X11 clients find the display's cookie in $HOME/.Xauthority when XAUTHORITY is
  // unset: the session's key, not the profile's, so it keeps pointing there.
  if (!xauthority && !real_home.empty()) out.push_back(fmt::format("XAUTHORITY={}/.Xauthority", real_home));
  return out;
}

FreshProfile::FreshProfile() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/appv-trace-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
  if (!::mkdtemp(pattern.data())) throw_sys("cannot create", pattern, errno, Exit::Io);
  dir_ = pattern;
  home_ = dir_ + "/home";
  if (::mkdir(home_.c_str(), 0700) != 0) {
    const int e = errno;
    remove_tree(dir_);
    throw_sys("cannot create", home_, e, Exit::Io);
  }
}

FreshProfile::~FreshProfile() {
  try {
    remove_tree(dir_);
  } catch (const Error&) {
    // A file the run left read-only or busy: a temporary directory the system cleans.
  }
}

}  // namespace appv
