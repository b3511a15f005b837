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
// otherwise). On refusal (of the namespace or of its id maps) throws Exit::Environment
// with base/namespace_support.h's refusal_message: what, why on this host, ways out.
NamespaceState enter_user_namespace();

// A mount namespace owned by the current user namespace. Throws Exit::Environment,
// diagnosed as enter_user_namespace() does.
void enter_mount_namespace();

// enter_user_namespace(), then enter_mount_namespace().
NamespaceState enter_namespaces();

}  // namespace appv
