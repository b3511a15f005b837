#include "redirect/instance.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

// An empty fd if the process has exited meanwhile.
UniqueFd open_ns(pid_t pid, const char* name) {
  const std::string path = fmt::format("/proc/{}/{}", pid, name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno != ENOENT && errno != ESRCH) throw_sys("cannot join the running instance through", path, errno, Exit::Environment);
  return fd;
}


}  // namespace

std::optional<NamespaceState> join_instance(const Instance& instance) {
  NamespaceState state;
  // Every handle is taken before the first setns (after it, /proc is the app's).
  // Once held they keep the namespaces alive even if the instance exits now.
  UniqueFd user = open_ns(instance.pid, "ns/user");
  UniqueFd mnt = open_ns(instance.pid, "ns/mnt");
  UniqueFd root = open_ns(instance.pid, "root");
  struct stat own, theirs;
  if (!user || !mnt || !root || ::fstat(user.get(), &theirs) != 0) return std::nullopt;
  if (::stat("/proc/self/ns/user", &own) != 0) throw_sys("cannot inspect", "/proc/self/ns/user", errno, Exit::Environment);
  const ino_t own_user = own.st_ino;
  const ino_t their_user = theirs.st_ino;
  if (own_user != their_user) {
    if (::setns(user.get(), CLONE_NEWUSER) != 0) throw_sys("cannot join the user namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
    state.user_namespace = true;
  }
  if (::setns(mnt.get(), CLONE_NEWNS) != 0) throw_sys("cannot join the mount namespace of pid", std::to_string(instance.pid), errno, Exit::Environment);
  if (::fchdir(root.get()) != 0 || ::chroot(".") != 0) throw_sys("cannot enter the root of pid", std::to_string(instance.pid), errno, Exit::Environment);
  return state;
}

}  // namespace appv
