#include "redirect/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

int read_sysctl(const char* path) {
  std::ifstream in(path);
  int v = -1;
  in >> v;
  return in ? v : -1;
}

void write_proc(const char* path, const std::string& text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot open", path, errno, Exit::Environment);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    int err = errno;
    throw Error(Exit::Environment, fmt::format("cannot write '{}': {}{}", path, errno_text(err),
                                               err == EPERM ? std::string("; ") + userns_advice() : std::string()));
  }
}

}  // namespace

const char* userns_advice() {
  if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
    return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0); "
           "an administrator can enable them with: sysctl -w kernel.unprivileged_userns_clone=1";
  }
  if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
    return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1); "
           "an administrator can allow appv with an AppArmor profile granting 'userns,' or set the sysctl to 0";
  }
  if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0) {
    return "user namespaces are disabled (user.max_user_namespaces=0); "
           "an administrator can enable them with: sysctl -w user.max_user_namespaces=15000";
  }
  return "user namespaces may be disabled in the kernel or by a container runtime's seccomp policy";
}

NamespaceState enter_namespaces() {
  NamespaceState state;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (uid == 0) {
    // Root needs no user namespace; a private mount namespace is enough.
    if (::unshare(CLONE_NEWNS) != 0) throw_sys("cannot create a mount namespace", "unshare(CLONE_NEWNS)", errno, Exit::Environment);
    return state;
  }
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    int err = errno;
    throw Error(Exit::Environment, fmt::format("cannot create a user namespace: {}; {}", errno_text(err), userns_advice()));
  }
  state.user_namespace = true;
  // Map only the caller's own ids: the app runs as the user it was started by, and
  // no id of the host gains anything. setgroups must be denied before gid_map.
  write_proc("/proc/self/setgroups", "deny");
  write_proc("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid));
  write_proc("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid));
  return state;
}

}  // namespace appv
