// appv's one lookup of the user's home and XDG base directories
// (https://specifications.freedesktop.org/basedir-spec/): a variable counts only when
// it holds an absolute path, as the specification says relative values are ignored.
// No password-database fallback: the runtime stub is static, and NSS may be unusable
// in the root it runs in.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace appv {

enum class XdgDir {
  Config,   // $XDG_CONFIG_HOME, else $HOME/.config
  Data,     // $XDG_DATA_HOME,   else $HOME/.local/share
  Cache,    // $XDG_CACHE_HOME,  else $HOME/.cache
  State,    // $XDG_STATE_HOME,  else $HOME/.local/state
  Runtime,  // $XDG_RUNTIME_DIR, no default
};

// $HOME if it is an absolute path, else "". As the user gave it (links kept): what
// the app's environment and messages for people name.
std::string home_dir();

// The directory as listed above, as the variables spell it (links kept, "/.cache" for
// HOME=/ rather than "//.cache"); "" when neither the variable nor HOME is usable.
std::string xdg_dir(XdgDir which);

// Where appv keeps its own things (cache, sandboxes, installs, its configuration):
// xdg_dir(which) with every symbolic link resolved (real_user_path), so that mounts,
// overlay layers and the plan name the directories the kernel will find (a home moved
// to another disk and reached through a link, an XDG variable naming a link). Throws
// Error(Exit::Environment, "neither XDG_DATA_HOME nor HOME is set to an absolute
// path") (naming the variable asked for) when there is none.
std::string require_xdg_dir(XdgDir which);

// `path` (absolute) with its symbolic links, '.', '..' and repeated slashes resolved,
// whether or not it exists yet: realpath(3) of the longest leading part it succeeds
// on, then the rest as text ('..' taking off the last component: nothing is there, so
// nothing there is a link). Below a directory appv cannot search (EACCES) the path is
// likewise kept as text, for whatever uses it next to report. For the user's own base directories only:
// this follows links, so never for paths inside content others control.
std::string real_user_path(const std::string& path);

// The process's supplementary groups (getgroups(2)); empty if it has none.
std::vector<gid_t> supplementary_groups();

}  // namespace appv
