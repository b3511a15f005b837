// The last step of a launch: no_new_privs, no capability, the seccomp filter, then
// execve of the entry point.
#pragma once

#include <string>
#include <vector>

namespace appv {

// Enters `real`, the host path (ptrace backend) or the path in the view (ns) of the
// caller's working directory `shown`; where that fails (the view hides it, or it lay
// on a mount left out of the view; `error` is an errno found before), says so on
// standard error, naming `shown` and the errno, and enters "/". Silently for EACCES
// and EPERM: a directory the user may not enter, which the view does show. Throws Exit::Io when
// even "/" cannot be entered.
void enter_working_dir(const std::string& real, const std::string& shown, int error = 0);

// enter_working_dir's warning alone, for a caller that entered "/" itself (`error`:
// why `shown` could not be entered; 0 when no real directory was found for it).
void warn_working_dir_left(const std::string& shown, int error);

// Enters `cwd` (enter_working_dir), sets PR_SET_NO_NEW_PRIVS and drops every
// capability (invariant 4, redirect/privileges.h), loads the system-call filter
// (redirect/seccomp_filter.h) and replaces this process with `path`, so the app's exit status, signals, standard
// streams and terminal are the caller's own (invariant 5). Returns only by throwing:
// Exit::NotFound if `path` is not in the view, Exit::CannotExecute otherwise.
[[noreturn]] void exec_entry(const std::string& path, const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp, const std::string& cwd);

}  // namespace appv
