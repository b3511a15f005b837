// Advice for errors whose errno alone misleads, in one place (as bubblewrap's
// mount_strerror does): what was refused, why on this host, and the way out.
#pragma once

#include <string>

namespace appv {

enum class Attempt {
  UserNamespace,  // unshare(CLONE_NEWUSER) or writing uid_map/gid_map
  Mount,          // mount(2) of a bind, tmpfs or the like
  OverlayMount,   // mount(2) of an overlay
  ProcMount,      // mount(2) of a new proc in the app's PID namespace
  Exec,           // execve(2) of an entry point inside the view
  TlsVerify,      // a registry's TLS certificate did not verify
};

// The advice for `err` when `what` failed, without a leading separator; "" when
// the errno says enough. Reads the host's sysctls and kernel release where the
// advice depends on them.
std::string advice_for(Attempt what, int err);

}  // namespace appv
