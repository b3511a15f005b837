// The running instance of an app. overlayfs cannot share an upper directory between
// two mounts, so a second launch of an app whose view is already up does not build
// another: it joins the first instance's namespaces, and both see one overlay, each
// other's writes and nothing lost.
//
// <sandbox>/.instance names the init of the instance's PID namespace
// (redirect/pid_namespace.h, vfs/sandbox_access.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "redirect/namespaces.h"
#include "vfs/sandbox.h"

namespace appv {

// Enters the instance's user, network and mount namespaces and its root, and makes
// its PID namespace the one of the children forked next (the app is forked, not
// exec'd, from here). Must be called single-threaded.
// Returns nullopt, having changed nothing, if the instance exited meanwhile; throws
// Exit::Environment if it cannot be joined.
std::optional<NamespaceState> join_instance(const Instance& instance);

}  // namespace appv
