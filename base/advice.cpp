#include "base/advice.h"

#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>

namespace appv {
namespace {

constexpr const char* kNoFileSystem = "the kernel lacks this file system";

}  // namespace

bool kernel_at_least(int major, int minor) {
  struct utsname u {};
  int have_major = 0, have_minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &have_major, &have_minor) != 2) return false;
  return have_major > major || (have_major == major && have_minor >= minor);
}

std::string overlay_advice(int err, bool in_user_namespace, const std::string& lower, const std::string& submount) {
  if (err == ENODEV) return kNoFileSystem;
  if (err != EINVAL) return "";
  if (!in_user_namespace) {
    return "overlayfs refused the layers: an upper directory inside a lower one, or a file system it cannot "
           "use as a layer (the kernel log names the reason)";
  }
  // Before 5.11 overlayfs cannot be mounted in a user namespace at all; since then
  // EINVAL means the layers themselves were refused, most often because a lower
  // directory has a mount below it: the kernel's clone_private_mount() refuses a
  // tree with locked mounts ("overlayfs: failed to clone lowerpath" in the kernel log).
  if (!kernel_at_least(5, 11)) return "overlayfs inside a user namespace needs Linux 5.11 or newer";
  if (!lower.empty() && !submount.empty()) {
    return "the lower directory '" + lower + "' has a mount below it ('" + submount +
           "'), which a user namespace inherits locked and overlayfs will not take as a layer";
  }
  return "overlayfs refused the layers: a lower directory with a mount below it (locked in a user namespace; "
         "the kernel log says 'overlayfs: failed to clone lowerpath'), or an upper directory inside a lower one";
}

std::string overlay_upper_advice(const std::string& upper) {
  return "the sandbox's directory '" + upper + "' is on overlayfs (a container's root file system, for one), which "
         "overlayfs cannot take as an upper layer; set XDG_DATA_HOME to a directory on another file system (a volume "
         "or a tmpfs)";
}

std::string advice_for(Attempt what, int err) {
  switch (what) {
    case Attempt::Mount: return err == ENODEV ? kNoFileSystem : "";
    case Attempt::ProcMount:
      // mount_too_revealing(): a namespace may mount proc only where the whole of the
      // host's /proc is visible, which a container's masked paths prevent.
      return err == EPERM ? "parts of this host's /proc are covered by other mounts, as a container's masked paths are; "
                            "a new proc may be mounted only where all of /proc is visible"
                          : "";
    case Attempt::Exec: return err == ENOENT ? "it (or its interpreter) is not in the view" : "";
    case Attempt::TlsVerify: return "trust its CA with --ca-file";
  }
  return "";
}

}  // namespace appv
