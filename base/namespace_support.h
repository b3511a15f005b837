// Whether this host lets the `ns` backend work and, where it does not, exactly why:
// which step was refused, with which errno, by what (a sysctl, AppArmor's restriction
// of unprivileged user namespaces, a seccomp filter) and the ways out. The facts are
// read from /proc; the diagnosis itself is pure (diagnose_refusal), so every host
// shape is unit-tested. redirect/namespace_probe.h tries the steps in a child process;
// the backend diagnoses a step that fails during a launch the same way.
#pragma once

#include <string>
#include <string_view>

namespace appv {

// The steps of entering the `ns` backend, in the order it takes them.
enum class NamespaceStep {
  None,            // nothing refused
  UserNamespace,   // unshare(CLONE_NEWUSER) (not taken by root)
  IdMap,           // writing /proc/self/setgroups, uid_map, gid_map inside it
  MountNamespace,  // unshare(CLONE_NEWNS)
  Mount,           // mounting inside (the propagation change, a tmpfs)
  Overlay,         // mounting overlayfs inside
};

// What refused the step.
enum class RefusalCause {
  None,
  MaxUserNamespaces,        // user.max_user_namespaces is 0 (or its limit is reached)
  UnprivilegedUsernsClone,  // kernel.unprivileged_userns_clone=0 (Debian before 11, older Ubuntu)
  AppArmor,                 // kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu >= 23.10)
  Seccomp,                  // a seccomp filter (Docker's default profile, CI runners in containers)
  NoCapability,             // root without CAP_SYS_ADMIN (a container's root)
  KernelLacksUserNamespaces,  // built without CONFIG_USER_NS
  KernelTooOld,             // overlayfs inside a user namespace needs Linux 5.11
  KernelLacksOverlay,       // no overlayfs (module not loaded, or not built)
  Unknown,                  // refused, and nothing this host shows says by what
};

std::string_view to_string(NamespaceStep step);   // "user-namespace", "id-map", "mount-namespace", "mount", "overlay", "none"
std::string_view to_string(RefusalCause cause);   // "max-user-namespaces", "unprivileged-userns-clone", "apparmor", "seccomp", ...

// What the diagnosis reads of the host. -1: the file does not exist on this kernel.
struct NamespaceFacts {
  int max_user_namespaces = -1;        // /proc/sys/user/max_user_namespaces
  int unprivileged_userns_clone = -1;  // /proc/sys/kernel/unprivileged_userns_clone
  int apparmor_restrict = -1;          // /proc/sys/kernel/apparmor_restrict_unprivileged_userns
  int seccomp = 0;                     // "Seccomp:" of /proc/self/status: 0 none, 1 strict, 2 filter
  // The AppArmor label of a process that has just made a user namespace (Ubuntu moves
  // an unconfined one into "unprivileged_userns"); "" when unknown or not AppArmor.
  std::string apparmor_label;
  bool as_root = false;                // root takes no user namespace
  bool kernel_5_11 = true;             // the running kernel is Linux 5.11 or newer
};

// The facts of this process and host; apparmor_label is left "" (it is read inside the
// namespace: read_apparmor_label()).
NamespaceFacts read_namespace_facts();

// The calling process's AppArmor label (/proc/self/attr/apparmor/current, else
// /proc/self/attr/current); "" without AppArmor.
std::string read_apparmor_label();

// The probe's or the launch's answer. usable(): every step worked.
struct NamespaceSupport {
  NamespaceStep failed = NamespaceStep::None;
  int err = 0;                               // errno of the refused step
  RefusalCause cause = RefusalCause::None;
  std::string reason;                        // what refused it, naming the sysctl, AppArmor or the filter
  bool usable() const { return failed == NamespaceStep::None; }
};

// Why `step` failed with `err` on a host with `facts`. Pure.
NamespaceSupport diagnose_refusal(NamespaceStep step, int err, const NamespaceFacts& facts);

// diagnose_refusal() with this process's facts and AppArmor label: for a step that
// failed during a launch, in the namespace it was taken in.
NamespaceSupport diagnose_refusal_here(NamespaceStep step, int err);

// One line, for Exit::Environment: what is refused, errno, why, the ways out.
// Example: "cannot create a user namespace: No space left on device (ENOSPC); user
// namespaces are disabled on this host (user.max_user_namespaces=0); ways out: ...".
std::string refusal_message(const NamespaceSupport& support);

// The ways out of a refusal by `cause`, in words: the one place that names the sysctls
// to set, the appv Debian package with its AppArmor profile, and the ptrace backend
// (always a way out, so never "").
std::string ways_out(RefusalCause cause);

}  // namespace appv
