#include "vfs/idle_instance.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/pidfd.h"
#include "base/unique_fd.h"
#include "vfs/sandbox_access.h"

namespace appv {
namespace {

// How long an idle instance may take to leave: its init leaves as soon as it sees the
// signal; the rest is the teardown of its overlays, whose unmount syncs the file
// system of the sandbox (milliseconds; a busy disk may take much longer).
constexpr int kLeaveTimeoutMs = 5000;

}  // namespace

int leave_when_idle_signal() { return SIGRTMIN + 4; }

Activity namespace_activity(pid_t init) {
  // Through init's root: the view's /proc is the namespace's own (mounted by init
  // after it entered the namespace). Only names are read; nothing is followed.
  const std::string proc = fmt::format("/proc/{}/root/proc", init);
  DIR* dir = ::opendir(proc.c_str());
  if (!dir) return errno == EACCES || errno == EPERM ? Activity::Unreachable : Activity::Running;
  bool others = false, saw_init = false;
  while (const dirent* e = ::readdir(dir)) {
    const char* name = e->d_name;
    if (name[0] < '0' || name[0] > '9') continue;
    if (std::strcmp(name, "1") == 0) saw_init = true;
    else others = true;
  }
  ::closedir(dir);
  // No "1": not a proc of init's namespace (the view shows another one).
  return saw_init && !others ? Activity::Idle : Activity::Running;
}

bool end_idle_instance(const std::string& sandbox, const Instance& instance) {
  const UniqueFd pidfd = open_pidfd(instance.pid);
  if (!pidfd) {
    if (errno == ESRCH) return true;  // gone meanwhile
    throw_sys("cannot watch the idle instance of", sandbox, errno);
  }
  // The pidfd names the process that had the pid when it was opened: if the instance
  // ended just before, its pid may name another process now, which must not be sent
  // anything.
  const std::optional<Instance> still = running_instance(sandbox);
  if (!still || still->pid != instance.pid) {
    forget_instance(sandbox, instance.pid);
    return true;
  }
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), leave_when_idle_signal(), nullptr, 0) != 0) {
    if (errno == ESRCH) return true;
    throw_sys("cannot ask the idle instance to leave: pid", std::to_string(instance.pid), errno);
  }
  pollfd p{pidfd.get(), POLLIN, 0};
  int ready;
  do ready = ::poll(&p, 1, kLeaveTimeoutMs);
  while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  forget_instance(sandbox, instance.pid);
  return true;
}

}  // namespace appv
