#include "base/user_notification.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace appv {

UserNotifications::UserNotifications(UniqueFd listener) : listener_(std::move(listener)) {
  seccomp_notif_sizes sizes{};
  if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    sizes.seccomp_notif = sizeof(seccomp_notif);
  }
  // A newer kernel's structures may be longer than this build's headers know.
  notif_.assign(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), 0);
}

bool UserNotifications::receive(UserNotification& out) {
  std::fill(notif_.begin(), notif_.end(), 0);  // the kernel refuses a buffer not zeroed
  auto* n = reinterpret_cast<seccomp_notif*>(notif_.data());
  while (::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, n) != 0) {
    if (errno != EINTR) return false;
  }
  out.id = n->id;
  out.pid = static_cast<pid_t>(n->pid);
  out.nr = n->data.nr;
  std::copy(std::begin(n->data.args), std::end(n->data.args), std::begin(out.args));
  return true;
}

bool UserNotifications::still_waiting(uint64_t id) const {
  return ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

namespace {

// The answer's size is the ioctl number's (SECCOMP_IOWR), fixed for this build.
void send_response(int listener, seccomp_notif_resp& r) {
  // ENOENT: the caller stopped waiting (a signal, its death); nothing to answer.
  ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

}  // namespace

void UserNotifications::answer(uint64_t id, int64_t value) const {
  seccomp_notif_resp r{};
  r.id = id;
  if (value < 0) {
    r.error = static_cast<int32_t>(value);
  } else {
    r.val = value;
  }
  send_response(listener_.get(), r);
}

void UserNotifications::let_run(uint64_t id) const {
  seccomp_notif_resp r{};
  r.id = id;
  r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  send_response(listener_.get(), r);
}

int UserNotifications::answer_with_fd(uint64_t id, int fd, bool cloexec, int* installed) const {
  // The descriptor is added, then the answer sent, in two steps. With
  // SECCOMP_ADDFD_FLAG_SEND the kernel marks the call answered before the caller has
  // installed the descriptor, and a signal that interrupts the supervisor's wait for
  // that (a Ctrl-Z of the job, any signal appv forwards) withdraws the descriptor but
  // not the answer: the caller's open() returned 0, its standard input.
  seccomp_notif_addfd add{};
  add.id = id;
  add.srcfd = static_cast<uint32_t>(fd);
  add.newfd_flags = cloexec ? O_CLOEXEC : 0;
  int at;
  while ((at = ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &add)) < 0 && errno == EINTR) {
  }
  if (at < 0) return errno;
  if (installed) *installed = at;
  answer(id, at);
  return 0;
}

bool user_notifications_can_send_fds() {
  utsname u{};
  int major = 0, minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 5 || (major == 5 && minor >= 14);
}

}  // namespace appv
