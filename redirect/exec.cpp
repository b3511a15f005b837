#include "redirect/exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "base/text.h"
#include "redirect/privileges.h"
#include "redirect/seccomp_filter.h"

namespace appv {

void enter_working_dir(const std::string& real, const std::string& shown, int error) {
  if (error == 0 && !real.empty()) {
    if (::chdir(real.c_str()) == 0) return;
    error = errno;
  }
  warn_working_dir_left(shown, error);
  if (::chdir("/") != 0) throw_sys("cannot enter", "/", errno);
}

void warn_working_dir_left(const std::string& shown, int error) {
  // A directory the view shows but the user may not enter (`su USER` from root's
  // home) is no news: the app could not have used it natively either.
  if (shown.empty() || error == EACCES || error == EPERM) return;
  const int err = error ? error : ENOENT;
  std::fprintf(stderr, "appv: warning: %s: the working directory is not in the app's view (%s, %s); it starts in /\n",
               printable(shown).c_str(), errno_text(err).c_str(), errno_name(err).c_str());
}

void exec_entry(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                const std::string& cwd) {
  enter_working_dir(cwd, cwd);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const std::string& e : envp) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  // Last, after every step that needs a capability or a refused call.
  drop_privileges();
  install_seccomp_filter();
  ::execve(path.c_str(), args.data(), env.data());
  int err = errno;
  if (err == ENOENT) {
    throw Error(Exit::NotFound, fmt::format("cannot run '{}': {}: {}", path, advice_for(Attempt::Exec, err), errno_text(err)));
  }
  throw Error(Exit::CannotExecute, fmt::format("cannot run '{}': {}", path, errno_text(err)));
}

}  // namespace appv
