// Entering the namespaces the `ns` backend needs: a user namespace mapping the
// caller's own uid and gid (when not root) plus a mount namespace.
#pragma once

namespace appv {

struct NamespaceState {
  bool user_namespace = false;  // overlayfs then needs the userxattr option
};

// A user namespace mapping the caller's own uid and gid; nothing for root, which
// needs none to mount (its capabilities are dropped before exec instead). Must be
// called while the process is single-threaded (unshare(CLONE_NEWUSER) refuses
// otherwise). On refusal throws Exit::Environment with the reason and how to enable
// user namespaces on this host.
NamespaceState enter_user_namespace();

// A mount namespace owned by the current user namespace. Throws Exit::Environment.
void enter_mount_namespace();

// enter_user_namespace(), then enter_mount_namespace().
NamespaceState enter_namespaces();


}  // namespace appv
