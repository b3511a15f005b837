// The diagnosis of a refused `ns` backend for every host shape appv's users have:
// each case gives the facts such a host shows and the errno its kernel answers.
#include <catch2/catch.hpp>

#include <cerrno>

#include "base/error.h"
#include "base/namespace_support.h"

using namespace appv;
using Catch::Contains;

namespace {

NamespaceFacts debian12_user() {
  NamespaceFacts f;
  f.max_user_namespaces = 96363;
  return f;
}

void check_one_line(const NamespaceSupport& s) {
  const std::string m = refusal_message(s);
  INFO(m);
  CHECK(m.find('\n') == std::string::npos);
  CHECK_FALSE(m.empty());
}

}  // namespace

TEST_CASE("namespace refusal: user.max_user_namespaces=0 (RHEL 7, hardened kernels)") {
  NamespaceFacts f = debian12_user();
  f.max_user_namespaces = 0;
  const NamespaceSupport s = diagnose_refusal(NamespaceStep::UserNamespace, ENOSPC, f);
  CHECK_FALSE(s.usable());
  CHECK(s.cause == RefusalCause::MaxUserNamespaces);
  CHECK(refusal_message(s) ==
        "cannot create a user namespace: No space left on device (ENOSPC); user namespaces are disabled on this host "
        "(user.max_user_namespaces=0); ways out: an administrator can enable them: sysctl -w "
        "user.max_user_namespaces=15000 (and in /etc/sysctl.d to keep it); or leave out --backend ns to run with the "
        "ptrace backend, which needs no namespaces (it redirects paths; it is not a sandbox)");
  // The limit reached is not "disabled".
  f.max_user_namespaces = 10;
  CHECK_THAT(diagnose_refusal(NamespaceStep::UserNamespace, ENOSPC, f).reason,
             Contains("the limit of user namespaces is reached (user.max_user_namespaces=10)"));
}

TEST_CASE("namespace refusal: kernel.unprivileged_userns_clone=0 (Debian before 11) wins over other facts") {
  NamespaceFacts f = debian12_user();
  f.unprivileged_userns_clone = 0;
  f.seccomp = 2;
  const NamespaceSupport s = diagnose_refusal(NamespaceStep::UserNamespace, EPERM, f);
  CHECK(s.cause == RefusalCause::UnprivilegedUsernsClone);
  CHECK_THAT(refusal_message(s), Contains("(EPERM); unprivileged user namespaces are disabled on this host "
                                          "(kernel.unprivileged_userns_clone=0)"));
  CHECK_THAT(refusal_message(s), Contains("sysctl -w kernel.unprivileged_userns_clone=1"));
  check_one_line(s);
}

TEST_CASE("namespace refusal: a seccomp filter (Docker's default profile)") {
  NamespaceFacts f = debian12_user();
  f.seccomp = 2;
  const NamespaceSupport s = diagnose_refusal(NamespaceStep::UserNamespace, EPERM, f);
  CHECK(s.cause == RefusalCause::Seccomp);
  CHECK_THAT(s.reason, Contains("a seccomp filter refuses CLONE_NEWUSER (Seccomp: 2 in /proc/self/status"));
  CHECK_THAT(refusal_message(s), Contains("seccomp=unconfined"));
  CHECK_THAT(refusal_message(s), !Contains("sysctl"));
  // Mounts refused by a filter inside a namespace that was made.
  const NamespaceSupport m = diagnose_refusal(NamespaceStep::Mount, EPERM, f);
  CHECK(m.cause == RefusalCause::Seccomp);
  CHECK_THAT(refusal_message(m), Contains("cannot mount inside a new mount namespace: Operation not permitted (EPERM); "
                                          "a seccomp filter refuses mount"));
  // Without a filter nothing names one.
  CHECK(diagnose_refusal(NamespaceStep::UserNamespace, EPERM, debian12_user()).cause == RefusalCause::Unknown);
}

TEST_CASE("namespace refusal: Ubuntu >= 23.10's AppArmor restriction, at each step it shows") {
  NamespaceFacts f = debian12_user();
  f.apparmor_restrict = 1;
  // Without an unprivileged_userns profile the namespace itself is refused (EACCES).
  const NamespaceSupport create = diagnose_refusal(NamespaceStep::UserNamespace, EACCES, f);
  CHECK(create.cause == RefusalCause::AppArmor);
  CHECK_THAT(create.reason, Contains("kernel.apparmor_restrict_unprivileged_userns=1"));
  // With it, the namespace is made and the process moved into the profile, which
  // denies the capabilities the id maps and mounts need.
  f.apparmor_label = "unprivileged_userns (enforce)";
  for (NamespaceStep step : {NamespaceStep::IdMap, NamespaceStep::Mount, NamespaceStep::Overlay}) {
    const NamespaceSupport s = diagnose_refusal(step, EPERM, f);
    INFO(refusal_message(s));
    CHECK(s.cause == RefusalCause::AppArmor);
    CHECK_THAT(s.reason, Contains("'unprivileged_userns (enforce)' profile"));
    CHECK_THAT(refusal_message(s), Contains("install the appv Debian package (scripts/build-deb)"));
    CHECK_THAT(refusal_message(s), Contains("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
    check_one_line(s);
  }
  CHECK_THAT(refusal_message(diagnose_refusal(NamespaceStep::IdMap, EPERM, f)),
             Contains("cannot map the caller's uid and gid in a new user namespace"));
  // The label alone says it, where /proc/sys hides the sysctl.
  f.apparmor_restrict = -1;
  CHECK(diagnose_refusal(NamespaceStep::Mount, EPERM, f).cause == RefusalCause::AppArmor);
}

TEST_CASE("namespace refusal: overlayfs, explained for the kernel that runs") {
  NamespaceFacts f = debian12_user();
  f.kernel_5_11 = true;
  const NamespaceSupport modern = diagnose_refusal(NamespaceStep::Overlay, EINVAL, f);
  CHECK(modern.cause == RefusalCause::Unknown);
  CHECK_THAT(refusal_message(modern), !Contains("5.11"));
  CHECK_THAT(refusal_message(modern), Contains("cannot mount overlayfs inside a new mount namespace: Invalid argument (EINVAL)"));
  f.kernel_5_11 = false;
  const NamespaceSupport old = diagnose_refusal(NamespaceStep::Overlay, EINVAL, f);
  CHECK(old.cause == RefusalCause::KernelTooOld);
  CHECK_THAT(refusal_message(old), Contains("overlayfs inside a user namespace needs Linux 5.11 or newer"));
  // Root mounts overlays without a user namespace: the version does not matter.
  f.as_root = true;
  CHECK(diagnose_refusal(NamespaceStep::Overlay, EINVAL, f).cause == RefusalCause::Unknown);
  CHECK(diagnose_refusal(NamespaceStep::Overlay, ENODEV, f).cause == RefusalCause::KernelLacksOverlay);
}

TEST_CASE("namespace refusal: root without CAP_SYS_ADMIN, a kernel without user namespaces") {
  NamespaceFacts f = debian12_user();
  f.as_root = true;
  const NamespaceSupport root = diagnose_refusal(NamespaceStep::MountNamespace, EPERM, f);
  CHECK(root.cause == RefusalCause::NoCapability);
  CHECK_THAT(refusal_message(root), Contains("cannot create a mount namespace"));
  CHECK(diagnose_refusal(NamespaceStep::UserNamespace, EINVAL, debian12_user()).cause ==
        RefusalCause::KernelLacksUserNamespaces);
}

TEST_CASE("namespace support: a usable answer, and the names scripts read") {
  const NamespaceSupport ok = diagnose_refusal(NamespaceStep::None, 0, debian12_user());
  CHECK(ok.usable());
  CHECK(refusal_message(ok).empty());
  CHECK(to_string(NamespaceStep::IdMap) == "id-map");
  CHECK(to_string(RefusalCause::MaxUserNamespaces) == "max-user-namespaces");
  CHECK(errno_name(ENOSPC) == "ENOSPC");
  // Whatever the cause, the ptrace backend is a way out.
  CHECK(ways_out(RefusalCause::Unknown) ==
        "leave out --backend ns to run with the ptrace backend, which needs no namespaces (it redirects paths; it is not "
        "a sandbox)");
}
