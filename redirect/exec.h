// The last step of a launch: no_new_privs, no capability, the seccomp filter, then
// execve of the entry point.
#pragma once

#include <string>
#include <vector>

namespace appv {

// Enters `cwd` (or "/" if the view lacks it), sets PR_SET_NO_NEW_PRIVS and drops every
// capability (invariant 4, redirect/privileges.h), loads the system-call filter
// (redirect/seccomp_filter.h) and replaces this process with `path`, so the app's exit status, signals, standard
// streams and terminal are the caller's own (invariant 5). Returns only by throwing:
// Exit::NotFound if `path` is not in the view, Exit::CannotExecute otherwise.
[[noreturn]] void exec_entry(const std::string& path, const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp, const std::string& cwd);

}  // namespace appv
