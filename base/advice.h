// Advice for errors whose errno alone misleads, in one place (as bubblewrap's
// mount_strerror does): what was refused, why on this host, and the way out.
#pragma once

#include <string>

namespace appv {

enum class Attempt {
  Mount,          // mount(2) of a bind, tmpfs or the like (overlays: overlay_advice)
  ProcMount,      // mount(2) of a new proc in the app's PID namespace
  Exec,           // execve(2) of an entry point inside the view
  TlsVerify,      // a registry's TLS certificate did not verify
};

// (A refused user namespace, its id maps or its mounts: base/namespace_support.h.)

// The advice for `err` when `what` failed, without a leading separator; "" when
// the errno says enough. Reads the host's sysctls and kernel release where the
// advice depends on them.
std::string advice_for(Attempt what, int err);

// The advice for an overlay mount that failed with `err`; "" when the errno says
// enough. `in_user_namespace`: it was mounted inside one, where EINVAL means overlayfs
// is not allowed there at all before Linux 5.11, and after that that a lower directory
// has a mount below it (which a user namespace inherits locked and overlayfs will not
// take as a layer) or that an upper directory lies inside a lower one. `lower` and
// `submount`, when the caller knows them: such a lower directory and the mount below it.
std::string overlay_advice(int err, bool in_user_namespace, const std::string& lower = {},
                           const std::string& submount = {});

// The advice for an overlay refused (EINVAL) because its upper directory `upper` lies
// on overlayfs, which overlayfs does not take as an upper layer ("filesystem on ...
// not supported as upperdir" in the kernel log): a home inside a container's root.
std::string overlay_upper_advice(const std::string& upper);

// Whether the running kernel is Linux major.minor or newer (uname's release).
bool kernel_at_least(int major, int minor);

}  // namespace appv
