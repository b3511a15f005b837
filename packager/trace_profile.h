// The profile a traced run starts in. As App-V's sequencer does its first run in a
// clean profile, trace capture runs each command with an empty HOME and XDG base
// directories in a new temporary directory: the app takes its first-run path (and
// reads what it copies into a new user's profile, such as LibreOffice's presets/),
// so the package holds what every new user needs, not what happens to be in the
// packer's own profile. What the run writes there is its first-run state: it is
// dropped (each user's first run writes its own, and it names the trace's temporary
// HOME), and the capture report lists it.
#pragma once

#include <string>
#include <vector>

namespace appv {

// `host` (NAME=VALUE) with HOME set to `home` and XDG_CONFIG_HOME, XDG_DATA_HOME,
// XDG_CACHE_HOME and XDG_STATE_HOME set to their defaults below it (not created: a
// new account has none of them). Everything else, XDG_RUNTIME_DIR and the session's
// sockets included, is kept; where XAUTHORITY is unset it names the X11 cookie file
// in the real HOME, where X11 clients would have looked for it.
std::vector<std::string> profile_environment(const std::vector<std::string>& host, const std::string& home);

class FreshProfile {
 public:
  // Creates "appv-trace-XXXXXX" below $TMPDIR (or /tmp) holding an empty home/ (0700).
  // Throws Exit::Io.
  FreshProfile();
  // Removes the directory and whatever the run left in it.
  ~FreshProfile();
  FreshProfile(const FreshProfile&) = delete;
  FreshProfile& operator=(const FreshProfile&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& home() const { return home_; }

 private:
  std::string dir_, home_;
};

}  // namespace appv
