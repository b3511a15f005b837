// appv's one lookup of the user's home and XDG base directories
// (https://specifications.freedesktop.org/basedir-spec/): a variable counts only when
// it holds an absolute path, as the specification says relative values are ignored.
// No password-database fallback: the runtime stub is static, and NSS may be unusable
// in the root it runs in.
#pragma once

#include <string>

namespace appv {

enum class XdgDir {
  Config,   // $XDG_CONFIG_HOME, else $HOME/.config
  Data,     // $XDG_DATA_HOME,   else $HOME/.local/share
  Cache,    // $XDG_CACHE_HOME,  else $HOME/.cache
  State,    // $XDG_STATE_HOME,  else $HOME/.local/state
  Runtime,  // $XDG_RUNTIME_DIR, no default
};

// $HOME if it is an absolute path, else "".
std::string home_dir();

// The directory as listed above; "" when neither the variable nor HOME is usable.
std::string xdg_dir(XdgDir which);

// The same, or Error(Exit::Environment, "neither XDG_DATA_HOME nor HOME is set to an
// absolute path") (naming the variable asked for) when there is none.
std::string require_xdg_dir(XdgDir which);

}  // namespace appv
