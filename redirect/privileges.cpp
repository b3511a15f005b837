#include "redirect/privileges.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"

namespace appv {
namespace {

// Permitted `permitted_cap` (or none for -1), effective too if `effective`.
int set_capabilities(int permitted_cap, bool effective) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (permitted_cap >= 0) {
    data[permitted_cap / 32].permitted = 1u << (permitted_cap % 32);
    if (effective) data[permitted_cap / 32].effective = 1u << (permitted_cap % 32);
  }
  return ::syscall(SYS_capset, &header, data) == 0 ? 0 : errno;
}

void clear_ambient() {
  // Kernels without ambient capabilities (before 4.3) have none to clear.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    throw_sys("cannot clear", "the ambient capabilities", errno, Exit::Environment);
}

// Set once this process, or the one it was forked from, has emptied its bounding set:
// the set only ever shrinks, so a child forked after that has it empty too, and the
// forty-odd prctl calls of another pass would change nothing.
bool bounding_set_empty = false;

void empty_bounding_and_ambient() {
  empty_bounding_set();
  clear_ambient();
}

}  // namespace

void empty_bounding_set() {
  if (bounding_set_empty) return;
  // Dropping from the bounding set needs CAP_SETPCAP, which the callers' capset removes.
  // One call per capability (a drop of one not held succeeds), until EINVAL past the
  // kernel's last; without CAP_SETPCAP a drop fails, which is fine for one not held.
  for (int cap = 0;; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
    if (errno == EINVAL) break;
    const int err = errno;
    if (err == EPERM) {  // the kernel checks the right before the number
      const int held = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
      if (held == 0) continue;
      if (held < 0 && errno == EINVAL) break;
    }
    throw_sys("cannot drop capability " + std::to_string(cap) + " from", "the bounding set", err, Exit::Environment);
  }
  bounding_set_empty = true;
}

void drop_privileges() { drop_privileges_but(-1); }

void drop_user_capabilities() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_sys("cannot set", "no_new_privs", errno, Exit::Environment);
  clear_ambient();
  if (const int err = set_capabilities(-1, false)) throw_sys("cannot drop", "the capabilities", err, Exit::Environment);
}

void drop_privileges_but(int kept) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_sys("cannot set", "no_new_privs", errno, Exit::Environment);
  empty_bounding_and_ambient();
  if (const int err = set_capabilities(kept, true)) throw_sys("cannot drop", "the capabilities", err, Exit::Environment);
}

void drop_supervisor_privileges(int kept) {
  empty_bounding_and_ambient();
  if (const int err = set_capabilities(kept, false)) throw_sys("cannot drop", "the supervisor's capabilities", err, Exit::Environment);
}

int raise_kept_capability(int kept, bool raise) { return set_capabilities(kept, raise); }

}  // namespace appv
