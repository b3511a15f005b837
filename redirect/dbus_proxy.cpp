#include "redirect/dbus_proxy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {

namespace {

// The socket's directory: created 0700, or an existing directory (not a link) that is
// the user's own and closed to others, so nobody else can connect, squat or swap it.
void private_socket_dir(const std::string& socket) {
  const std::string dir = socket.substr(0, socket.rfind('/'));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_sys("cannot create", dir, errno, Exit::Environment);
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) throw_sys("cannot inspect", dir, errno, Exit::Environment);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    throw Error(Exit::NoPerm, fmt::format("'{}' is not a private directory of uid {} (a link, another's, or open to "
                                          "others): appv does not put the session bus proxy there",
                                          dir, ::geteuid()));
  }
}

}  // namespace

int start_bus_proxy(const LaunchPlan::BusProxy& proxy) {
  if (proxy.proxy_socket.size() >= sizeof(sockaddr_un::sun_path)) {
    throw Error(Exit::Environment, fmt::format("cannot start xdg-dbus-proxy: its socket path '{}' is longer than a unix "
                                               "socket allows ({} bytes); or run with --deny session-bus",
                                               proxy.proxy_socket, sizeof(sockaddr_un::sun_path) - 1));
  }
  private_socket_dir(proxy.proxy_socket);
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
