// The running instance of an app. overlayfs cannot share an upper directory between
// two mounts, so a second launch of an app whose view is already up does not build
// another: it joins the first instance's user and mount namespaces, and both see one
// overlay, each other's writes and nothing lost.
//
// <sandbox>/.instance names the process that entered the view (pid and start time,
// so a reused pid is not mistaken for it) and the view's identity.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "redirect/namespaces.h"

namespace appv {

struct Instance {
  pid_t pid = 0;
  std::string view_id;
};

// The recorded instance if its process still lives; nullopt otherwise.
std::optional<Instance> running_instance(const std::string& sandbox);

// Records the calling process as the instance (it is about to enter the view).
void record_instance(const std::string& sandbox, const std::string& view_id);

// Enters the instance's namespaces and its root. Must be called single-threaded.
// Returns nullopt, having changed nothing, if the instance exited meanwhile; throws
// Exit::Environment if it cannot be joined.
std::optional<NamespaceState> join_instance(const Instance& instance);

}  // namespace appv
