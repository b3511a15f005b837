#include "redirect/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/namespace_support.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

// The refusal of `step` with `err`, diagnosed on this host (base/namespace_support.h).
[[noreturn]] void refused(NamespaceStep step, int err) {
  throw Error(Exit::Environment, refusal_message(diagnose_refusal_here(step, err)));
}

void write_proc(const char* path, const std::string& text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot open", path, errno, Exit::Environment);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    if (err == EPERM || err == EACCES) refused(NamespaceStep::IdMap, err);
    throw_sys("cannot write", path, err, Exit::Environment);
  }
}

}  // namespace

NamespaceState enter_user_namespace() {
  NamespaceState state;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (uid == 0) return state;  // root has the capabilities; they are dropped before exec
  if (::unshare(CLONE_NEWUSER) != 0) refused(NamespaceStep::UserNamespace, errno);
  state.user_namespace = true;
  // Map only the caller's own ids: the app runs as the user it was started by, and
  // no id of the host gains anything. setgroups must be denied before gid_map.
  write_proc("/proc/self/setgroups", "deny");
  write_proc("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid));
  write_proc("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid));
  return state;
}

void enter_mount_namespace() {
  if (::unshare(CLONE_NEWNS) != 0) refused(NamespaceStep::MountNamespace, errno);
}

NamespaceState enter_namespaces() {
  NamespaceState state = enter_user_namespace();
  enter_mount_namespace();
  return state;
}

}  // namespace appv
