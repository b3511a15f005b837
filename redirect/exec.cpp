#include "redirect/exec.h"

#include <unistd.h>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "redirect/privileges.h"
#include "redirect/seccomp_filter.h"

namespace appv {

void exec_entry(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                const std::string& cwd) {
  if (cwd.empty() || ::chdir(cwd.c_str()) != 0) {
    if (::chdir("/") != 0) throw_sys("cannot enter", "/", errno);
  }
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
