#include "redirect/privileges.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"
#include "base/raw_syscall.h"

namespace appv {
namespace {

// The helpers below make raw system calls and return 0 or an errno, so that
// drop_user_capabilities may use them where errno is not the caller's own.

// Permitted `permitted_cap` (or none for -1), effective too if `effective`.
APPV_CLONE_VM_CHILD int set_capabilities(int permitted_cap, bool effective) {
  __user_cap_header_struct header;
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  for (__user_cap_data_struct& d : data) d.effective = d.permitted = d.inheritable = 0;
  if (permitted_cap >= 0) {
    data[permitted_cap / 32].permitted = 1u << (permitted_cap % 32);
    if (effective) data[permitted_cap / 32].effective = 1u << (permitted_cap % 32);
  }
  const long r = raw_syscall(SYS_capset, reinterpret_cast<long>(&header), reinterpret_cast<long>(data));
  return static_cast<int>(-r);
}

APPV_CLONE_VM_CHILD int set_no_new_privs() {
  return static_cast<int>(-raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

APPV_CLONE_VM_CHILD int clear_ambient() {
  // Kernels without ambient capabilities (before 4.3) have none to clear.
  const long r = raw_syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  return r == -EINVAL ? 0 : static_cast<int>(-r);
}

void throw_environment(std::string_view op, std::string_view object, int err) {
  if (err != 0) throw_sys(op, object, err, Exit::Environment);
}

// Set once this process, or the one it was forked from, has emptied its bounding set:
// the set only ever shrinks, so a child forked after that has it empty too, and the
// forty-odd prctl calls of another pass would change nothing.
bool bounding_set_empty = false;

void empty_bounding_and_ambient() {
  empty_bounding_set();
  throw_environment("cannot clear", "the ambient capabilities", clear_ambient());
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

APPV_CLONE_VM_CHILD CapabilityDrop drop_user_capabilities() {
  using Step = CapabilityDrop::Step;
  if (const int err = set_no_new_privs()) return {Step::NoNewPrivs, err};
  if (const int err = clear_ambient()) return {Step::Ambient, err};
  if (const int err = set_capabilities(-1, false)) return {Step::Capabilities, err};
  return {};
}

void CapabilityDrop::throw_if_failed() const {
  switch (step) {
    case Step::None: return;
    case Step::NoNewPrivs: throw_sys("cannot set", "no_new_privs", err, Exit::Environment);
    case Step::Ambient: throw_sys("cannot clear", "the ambient capabilities", err, Exit::Environment);
    case Step::Capabilities: throw_sys("cannot drop", "the capabilities", err, Exit::Environment);
  }
}

void drop_privileges_but(int kept) {
  throw_environment("cannot set", "no_new_privs", set_no_new_privs());
  empty_bounding_and_ambient();
  throw_environment("cannot drop", "the capabilities", set_capabilities(kept, true));
}

void drop_supervisor_privileges(int kept) {
  empty_bounding_and_ambient();
  throw_environment("cannot drop", "the supervisor's capabilities", set_capabilities(kept, false));
}

int raise_kept_capability(int kept, bool raise) { return set_capabilities(kept, raise); }

}  // namespace appv
