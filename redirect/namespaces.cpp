#include "redirect/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

void write_proc(const char* path, const std::string& text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot open", path, errno, Exit::Environment);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    int err = errno;
    throw Error(Exit::Environment, fmt::format("cannot write '{}': {}{}", path, errno_text(err),
                                               err == EPERM ? "; " + advice_for(Attempt::UserNamespace, err) : std::string()));
  }
}

}  // namespace

NamespaceState enter_user_namespace() {
  NamespaceState state;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (uid == 0) return state;  // root has the capabilities; they are dropped before exec
  if (::unshare(CLONE_NEWUSER) != 0) {
    int err = errno;
    throw Error(Exit::Environment, fmt::format("cannot create a user namespace: {}; {}", errno_text(err), advice_for(Attempt::UserNamespace, err)));
  }
  state.user_namespace = true;
  // Map only the caller's own ids: the app runs as the user it was started by, and
  // no id of the host gains anything. setgroups must be denied before gid_map.
  write_proc("/proc/self/setgroups", "deny");
  write_proc("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid));
  write_proc("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid));
  return state;
}

void enter_mount_namespace() {
  if (::unshare(CLONE_NEWNS) != 0) throw_sys("cannot create a mount namespace", "unshare(CLONE_NEWNS)", errno, Exit::Environment);
}

NamespaceState enter_namespaces() {
  NamespaceState state = enter_user_namespace();
  enter_mount_namespace();
  return state;
}

}  // namespace appv
