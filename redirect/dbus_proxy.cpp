#include "redirect/dbus_proxy.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {

int start_bus_proxy(const LaunchPlan::BusProxy& proxy) {
  // A socket left by an earlier launch with the same pid would make bind() fail.
  if (::unlink(proxy.proxy_socket.c_str()) != 0 && errno != ENOENT) throw_sys("cannot remove stale", proxy.proxy_socket, errno);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create a pipe for", "xdg-dbus-proxy", errno, Exit::Environment);
  UniqueFd ready(fds[0]), sync(fds[1]);

  // Built before fork: the child only execs.
  std::vector<std::string> words{"xdg-dbus-proxy", fmt::format("--fd={}", sync.get()), proxy.proxy_address, proxy.proxy_socket};
  words.insert(words.end(), proxy.args.begin(), proxy.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  const pid_t child = ::fork();
  if (child < 0) throw_sys("cannot fork for", "xdg-dbus-proxy", errno, Exit::Environment);
  if (child == 0) {
    if (::fork() != 0) ::_exit(0);  // the proxy is re-parented, never the app's child
    ::setsid();
    if (::fcntl(sync.get(), F_SETFD, 0) != 0) ::_exit(127);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  sync = UniqueFd();  // only the proxy holds the write end now

  char byte = 0;
  ssize_t n;
  do n = ::read(ready.get(), &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) {
    throw Error(Exit::Environment, "cannot start xdg-dbus-proxy for the session bus (is the xdg-dbus-proxy package "
                                   "installed?); or run with --deny session-bus");
  }
  if (::fcntl(ready.get(), F_SETFD, 0) != 0) throw_sys("cannot keep open", "the proxy's pipe", errno);
  return ready.release();
}

}  // namespace appv
