// Seccomp user notifications (seccomp_unotify(2)): a filter answers
// SECCOMP_RET_USER_NOTIF for a call, the calling thread waits, and the process
// holding the filter's listener receives the call, does what it asks itself and
// answers with its result — or with a descriptor it opened, installed in the caller
// (SECCOMP_IOCTL_NOTIF_ADDFD), or lets the call run as it was. The
// namespace-free backend serves its hot path calls this way (no ptrace stop, no
// register rewrite: docs/namespace-free-backend.md).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "base/unique_fd.h"

namespace appv {

// One call waiting for its answer. `pid` is the calling thread's id.
struct UserNotification {
  uint64_t id = 0;
  pid_t pid = 0;
  long nr = 0;
  uint64_t args[6] = {};
};

// The listener's side. receive() is for one thread; the answers may come from any.
class UserNotifications {
 public:
  // Takes the listener descriptor a filter gave (base/tracing.h install_trace_filter).
  explicit UserNotifications(UniqueFd listener);

  int fd() const { return listener_.get(); }

  // The next pending call, into `out`. False when none is pending any more (its
  // caller was interrupted by a signal or has died since poll(2) saw it); blocks
  // when none was pending at all.
  bool receive(UserNotification& out);

  // True while the caller `id` still waits: checked after reading its memory, so that
  // what was read belongs to it and not to a process that took its pid since.
  bool still_waiting(uint64_t id) const;

  // The call returns `value` (>= 0), or fails with errno `-value` (< 0).
  void answer(uint64_t id, int64_t value) const;

  // The call runs in the kernel as the caller made it (its arguments re-read then).
  void let_run(uint64_t id) const;

  // The call returns a new descriptor in the caller for the open file `fd`
  // (close-on-exec if asked): the descriptor is added, then the answer sent with its
  // number, which *installed (if given) receives. Returns 0, or the errno of the
  // failure (EMFILE in the caller...), when the call still waits for answer().
  int answer_with_fd(uint64_t id, int fd, bool cloexec, int* installed = nullptr) const;

 private:
  UniqueFd listener_;
  std::vector<unsigned char> notif_;  // the kernel's struct seccomp_notif, sized as it says
};

// Whether appv serves opens by notification on this kernel: Linux 5.14 and later, the
// kernels it was measured and tested on; before it an open stays with the tracer.
bool user_notifications_can_send_fds();

}  // namespace appv
