// The last step of a launch: no_new_privs, then execve of the entry point.
#pragma once

#include <string>
#include <vector>

namespace appv {

// Sets PR_SET_NO_NEW_PRIVS (invariant 4), enters `cwd` (or "/" if the view lacks it)
// and replaces this process with `path`, so the app's exit status, signals, standard
// streams and terminal are the caller's own (invariant 5). Returns only by throwing:
// Exit::NotFound if `path` is not in the view, Exit::CannotExecute otherwise.
[[noreturn]] void exec_entry(const std::string& path, const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp, const std::string& cwd);

}  // namespace appv
