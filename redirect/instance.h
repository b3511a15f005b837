// The running instance of an app. overlayfs cannot share an upper directory between
// two mounts, so a second launch of an app whose view is already up does not build
// another: it joins the first instance's namespaces, and both see one overlay, each
// other's writes and nothing lost.
//
// <sandbox>/.instance names the init of the instance's PID namespace
// (redirect/pid_namespace.h, vfs/sandbox_access.h).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "redirect/namespaces.h"
#include "vfs/sandbox.h"

namespace appv {

class TerminalRelay;

// Enters the instance's user, network and mount namespaces and its root, and makes
// its PID namespace the one of the children forked next (the app is forked, not
// exec'd, from here). Must be called single-threaded.
// Returns nullopt, having changed nothing, if the instance exited meanwhile; throws
// Exit::Environment if it cannot be joined.
std::optional<NamespaceState> join_instance(const Instance& instance);

// A launch that joins the running instance: a child of this process (the joiner)
// joins the instance (join_instance) and forks the app into its PID namespace, where
// the app runs `exec_app` (it execs). Once joined, the joiner runs `in_joiner` (close
// what must not stay open there, such as the sandbox's lock), forks the app, waits for
// it, passes signals on, and ends as the app ended. This process stays on the host's side: if the
// instance's init exited since it was found (a PID namespace without its init takes no
// new process: fork fails with ENOMEM), nothing was started and it returns nullopt, to
// build the view anew. Else, once the app has exec'd, `started(joiner)` runs here and
// the app's raw wait status is returned when it ends. An error before the app's exec
// is thrown here (as run_child does). With a `terminal` (redirect/terminal_relay.h)
// the app is attached to it, the joiner reports its stops, and this process relays
// the terminal until the joiner has ended.
std::optional<int> run_joined(const Instance& instance, const std::function<void()>& exec_app,
                              const std::function<void()>& in_joiner, const std::function<void(pid_t)>& started,
                              TerminalRelay* terminal = nullptr);

}  // namespace appv
