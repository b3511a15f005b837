// Commands on PATH: `appv install --command NAME` makes NAME a symlink to the installed
// package file in a bin directory (~/.local/bin; for every user /usr/local/bin), so
// typing NAME starts the self-executing package, which runs its entry point NAME
// (busybox style, launcher/invoked_name.h). A name another command on PATH already
// has, or a file appv did not make, is refused unless asked for.
#pragma once

#include <optional>
#include <string>

namespace appv {

// What the user allows when a command is exported.
struct CommandOverrides {
  bool shadow = false;  // export NAME although another directory on PATH has a NAME
  bool force = false;   // replace a file at <bin>/NAME that is not this app's link
};

// The file called `name` in a directory of `path_env` (a PATH value) other than
// `bin`, that exec would find (executable, not a directory); nullopt if none.
// Relative and empty PATH entries are skipped: they name no fixed place.
std::optional<std::string> found_on_path(const std::string& name, const std::string& bin, const std::string& path_env);

// True if `dir` is one of `path_env`'s directories (the same directory, however
// spelled).
bool dir_on_path(const std::string& dir, const std::string& path_env);

// Refuses (Exit::CantCreate) exporting `name` as <bin>/<name> -> `package`: when
// another command of that name is on `path_env` (unless overrides.shadow), or when
// <bin>/<name> is anything but a link to `package` (unless overrides.force). The
// message names the file in the way and the option that allows it.
void check_command_export(const std::string& name, const std::string& bin, const std::string& package,
                          const std::string& path_env, const CommandOverrides& overrides);

// Makes `link` a symlink to `package`, replacing what is there atomically (a link
// made beside it and renamed over it). Errors name the path and errno.
void make_command_link(const std::string& link, const std::string& package);

// Removes `link` if it is still a symlink to `package` (never a file the user put
// there since); true if it did.
bool remove_command_link(const std::string& link, const std::string& package);

}  // namespace appv
