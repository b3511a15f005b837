// A network namespace of the app's own, for a launch whose `network` permission is
// not granted: only a loopback interface, so neither the host's TCP/UDP services
// (127.0.0.1 included) nor its abstract unix sockets (which belong to the network
// namespace) are reachable. Filesystem unix sockets are the view's business.
#pragma once

namespace appv {

// unshare(CLONE_NEWNET) (needs CAP_SYS_ADMIN: root, or after entering the user
// namespace), then brings `lo` up. Throws Exit::Environment with errno.
void enter_own_network();

}  // namespace appv
