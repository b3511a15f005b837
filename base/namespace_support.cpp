#include "base/namespace_support.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "base/advice.h"
#include "base/error.h"

namespace appv {
namespace {

int read_sysctl(const char* path) {
  std::ifstream in(path);
  int v = -1;
  in >> v;
  return in ? v : -1;
}

int read_seccomp_mode() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Seccomp:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return 0;
}

// Ubuntu's restriction moves an unconfined process that makes a user namespace into
// this profile, which denies every capability inside: the uid_map write and mounts
// then fail with EPERM although the namespace was made.
bool in_unprivileged_userns_profile(const NamespaceFacts& f) {
  return f.apparmor_label.find("unprivileged_userns") != std::string::npos;
}

constexpr const char* kAppArmorRestricts =
    "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)";

std::string seccomp_reason(std::string_view what) {
  return fmt::format("a seccomp filter refuses {} (Seccomp: 2 in /proc/self/status; Docker's default profile, and the "
                     "CI runners built on it, refuse it this way)",
                     what);
}

// `s` with its cause and reason filled in.
NamespaceSupport because(NamespaceSupport s, RefusalCause cause, std::string reason) {
  s.cause = cause;
  s.reason = std::move(reason);
  return s;
}

constexpr const char* kMaxZero = "user namespaces are disabled on this host (user.max_user_namespaces=0)";

// EPERM or EACCES of a step taken inside the namespace: who holds the capabilities back.
NamespaceSupport refused_inside(const NamespaceSupport& s, const NamespaceFacts& f, std::string_view what) {
  if (in_unprivileged_userns_profile(f)) {
    return because(s, RefusalCause::AppArmor,
                   fmt::format("AppArmor moved appv into its '{}' profile, which denies capabilities inside user "
                               "namespaces (kernel.apparmor_restrict_unprivileged_userns=1)",
                               f.apparmor_label));
  }
  if (f.apparmor_restrict == 1 && !f.as_root) {
    return because(s, RefusalCause::AppArmor, fmt::format("{}, which denies capabilities inside them", kAppArmorRestricts));
  }
  if (f.seccomp == 2) return because(s, RefusalCause::Seccomp, seccomp_reason(what));
  if (f.as_root) return because(s, RefusalCause::NoCapability, "root lacks CAP_SYS_ADMIN here, as a container's root does");
  return because(s, RefusalCause::Unknown, "the kernel or a security module refused it");
}

NamespaceSupport user_namespace_refused(const NamespaceSupport& s, const NamespaceFacts& f) {
  if (s.err == ENOSPC) {
    if (f.max_user_namespaces == 0) return because(s, RefusalCause::MaxUserNamespaces, kMaxZero);
    return because(s, RefusalCause::MaxUserNamespaces,
                   fmt::format("the limit of user namespaces is reached (user.max_user_namespaces={})", f.max_user_namespaces));
  }
  if (s.err == EUSERS) return because(s, RefusalCause::Unknown, "user namespaces are nested 32 deep already, the kernel's limit");
  if (s.err == EINVAL || s.err == ENOSYS) {
    return because(s, RefusalCause::KernelLacksUserNamespaces, "the kernel was built without user namespaces (CONFIG_USER_NS)");
  }
  if (s.err != EPERM && s.err != EACCES) return because(s, RefusalCause::Unknown, "the kernel refused it");
  if (f.unprivileged_userns_clone == 0) {
    return because(s, RefusalCause::UnprivilegedUsernsClone,
                   "unprivileged user namespaces are disabled on this host (kernel.unprivileged_userns_clone=0)");
  }
  if (f.apparmor_restrict == 1) return because(s, RefusalCause::AppArmor, kAppArmorRestricts);
  if (f.seccomp == 2) return because(s, RefusalCause::Seccomp, seccomp_reason("CLONE_NEWUSER"));
  if (f.max_user_namespaces == 0) return because(s, RefusalCause::MaxUserNamespaces, kMaxZero);
  return because(s, RefusalCause::Unknown, "the kernel or a security module refused it (a process in a chroot is refused too)");
}

NamespaceSupport overlay_refused(const NamespaceSupport& s, const NamespaceFacts& f) {
  if (s.err == ENODEV) return because(s, RefusalCause::KernelLacksOverlay, "the kernel lacks overlayfs");
  // The one case where the kernel's version is the reason: before 5.11 overlayfs
  // cannot be mounted in a user namespace at all.
  if ((s.err == EINVAL || s.err == EPERM) && !f.as_root && !f.kernel_5_11) {
    return because(s, RefusalCause::KernelTooOld, "overlayfs inside a user namespace needs Linux 5.11 or newer");
  }
  if (s.err == EPERM || s.err == EACCES) return refused_inside(s, f, "mount");
  const std::string advice = overlay_advice(s.err, !f.as_root);
  return because(s, RefusalCause::Unknown, advice.empty() ? "overlayfs refused the mount" : advice);
}

std::string_view what_was_refused(NamespaceStep step) {
  switch (step) {
    case NamespaceStep::None: return "nothing";
    case NamespaceStep::UserNamespace: return "cannot create a user namespace";
    case NamespaceStep::IdMap: return "cannot map the caller's uid and gid in a new user namespace";
    case NamespaceStep::MountNamespace: return "cannot create a mount namespace";
    case NamespaceStep::Mount: return "cannot mount inside a new mount namespace";
    case NamespaceStep::Overlay: return "cannot mount overlayfs inside a new mount namespace";
  }
  return "?";
}

// How to run on this host without namespaces: the message is seen only when the user
// forced the ns backend (appv otherwise chooses the ptrace backend by itself).
std::string namespace_free_backend_advice() {
  return "leave out --backend ns to run with the ptrace backend, which needs no namespaces (it redirects paths; "
         "it is not a sandbox)";
}

}  // namespace

std::string_view to_string(NamespaceStep step) {
  switch (step) {
    case NamespaceStep::None: return "none";
    case NamespaceStep::UserNamespace: return "user-namespace";
    case NamespaceStep::IdMap: return "id-map";
    case NamespaceStep::MountNamespace: return "mount-namespace";
    case NamespaceStep::Mount: return "mount";
    case NamespaceStep::Overlay: return "overlay";
  }
  return "?";
}

std::string_view to_string(RefusalCause cause) {
  switch (cause) {
    case RefusalCause::None: return "none";
    case RefusalCause::MaxUserNamespaces: return "max-user-namespaces";
    case RefusalCause::UnprivilegedUsernsClone: return "unprivileged-userns-clone";
    case RefusalCause::AppArmor: return "apparmor";
    case RefusalCause::Seccomp: return "seccomp";
    case RefusalCause::NoCapability: return "no-capability";
    case RefusalCause::KernelLacksUserNamespaces: return "kernel-lacks-user-namespaces";
    case RefusalCause::KernelTooOld: return "kernel-too-old";
    case RefusalCause::KernelLacksOverlay: return "kernel-lacks-overlay";
    case RefusalCause::Unknown: return "unknown";
  }
  return "?";
}

NamespaceFacts read_namespace_facts() {
  NamespaceFacts f;
  f.max_user_namespaces = read_sysctl("/proc/sys/user/max_user_namespaces");
  f.unprivileged_userns_clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
  f.apparmor_restrict = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  f.seccomp = read_seccomp_mode();
  f.as_root = ::geteuid() == 0;
  f.kernel_5_11 = kernel_at_least(5, 11);
  return f;
}

std::string read_apparmor_label() {
  // The first is AppArmor's own (Linux 5.8+, beside other security modules); the
  // second is whichever module owns the shared attribute.
  for (const char* path : {"/proc/self/attr/apparmor/current", "/proc/self/attr/current"}) {
    std::ifstream in(path);
    std::string label;
    if (std::getline(in, label) && !label.empty()) return label;
  }
  return "";
}

NamespaceSupport diagnose_refusal(NamespaceStep step, int err, const NamespaceFacts& facts) {
  NamespaceSupport s;
  s.failed = step;
  s.err = err;
  switch (step) {
    case NamespaceStep::None: return NamespaceSupport{};
    case NamespaceStep::UserNamespace: return user_namespace_refused(s, facts);
    case NamespaceStep::Overlay: return overlay_refused(s, facts);
    case NamespaceStep::IdMap:
    case NamespaceStep::MountNamespace:
    case NamespaceStep::Mount:
      if (err == EPERM || err == EACCES) return refused_inside(s, facts, step == NamespaceStep::MountNamespace ? "unshare" : "mount");
      return because(s, RefusalCause::Unknown, err == ENODEV ? "the kernel lacks this file system" : "the kernel refused it");
  }
  return s;
}

NamespaceSupport diagnose_refusal_here(NamespaceStep step, int err) {
  NamespaceFacts facts = read_namespace_facts();
  facts.apparmor_label = read_apparmor_label();
  return diagnose_refusal(step, err, facts);
}

std::string ways_out(RefusalCause cause) {
  std::string out;
  switch (cause) {
    case RefusalCause::None:
    case RefusalCause::Unknown: break;
    case RefusalCause::MaxUserNamespaces:
      out = "an administrator can enable them: sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d to keep it)";
      break;
    case RefusalCause::UnprivilegedUsernsClone:
      out = "an administrator can enable them: sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d to keep it)";
      break;
    case RefusalCause::AppArmor:
      out = "install the appv Debian package (scripts/build-deb), whose AppArmor profile grants /usr/bin/appv 'userns' "
            "(a self-executing package hands over to it), or an administrator can lift the restriction: "
            "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
      break;
    case RefusalCause::Seccomp:
      out = "run it outside the container, or start the container with a seccomp profile that allows unshare, clone "
            "and mount in new user namespaces (docker run --security-opt seccomp=unconfined)";
      break;
    case RefusalCause::NoCapability:
      out = "run it as an ordinary user, or give the container CAP_SYS_ADMIN";
      break;
    case RefusalCause::KernelLacksUserNamespaces: out = "a kernel built with CONFIG_USER_NS"; break;
    case RefusalCause::KernelTooOld: out = "Linux 5.11 or newer"; break;
    case RefusalCause::KernelLacksOverlay: out = "an administrator can load it: modprobe overlay"; break;
  }
  const std::string backend = namespace_free_backend_advice();
  if (!backend.empty()) out += out.empty() ? backend : "; or " + backend;
  return out;
}

std::string refusal_message(const NamespaceSupport& s) {
  if (s.usable()) return "";
  const std::string ways = ways_out(s.cause);
  return fmt::format("{}: {} ({}); {}{}", what_was_refused(s.failed), errno_text(s.err), errno_name(s.err), s.reason,
                     ways.empty() ? "" : "; ways out: " + ways);
}

}  // namespace appv
