// The app's own PID namespace, with appv's init as its pid 1 (as bubblewrap and tini
// do): host processes are invisible to the app — not listed, not signalled, not
// traced, no /proc/<pid>/root — and the new proc (MountOp::Type::Proc) shows only the
// app's own.
//
// Processes, outside to inside:
//   appv (host PID namespace) — waits, passes signals on, reports the app's status
//     └ init (pid 1)           — builds the view (it must mount proc), reaps orphans
//         └ the app (pid 2)
// A launch that joins a running instance enters the PID namespace through the
// instance's recorded pid (init's, in the host's numbering) and forks the app there.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <vector>

namespace appv {

class TerminalRelay;

// Unshares the PID namespace for the children the caller forks next (the caller
// stays where it is). Call after enter_namespaces(). Throws Exit::Environment.
void unshare_pid_namespace();

enum class InitLifetime {
  // init stays until the namespace is empty: processes the app left running and
  // launches that joined the instance go on after the app exits (`appv run`).
  UntilEmpty,
  // init ends with the app, and the kernel kills what is left in the namespace
  // (`run --temp` and install capture, which clean up after it).
  WithApp,
};

// What init does once its namespace is empty (UntilEmpty only): it stays `period`
// more, so that the next launch of the app joins the view instead of building it
// (vfs/idle_instance.h); a launch that joins meanwhile restarts the period once the
// namespace is empty again (init sees any process that started in it since, by the
// namespace's last pid). When the period is over, init leaves only if it can take
// `lock` (an unlocked open file description of the sandbox's lock, which this
// process's teardown holder keeps too: redirect/teardown.h), without waiting: a launch
// holding the sandbox's lock may be about to join, and init tries again a little
// later. The lock so taken stays taken by the holder's copy until the teardown is
// done. Asked to leave (vfs/idle_instance.h leave_when_idle_signal), init leaves at
// once if its namespace is empty, without the lock (the asker holds it). A zero
// period, or no lock, is today's init: it leaves as soon as the namespace is empty;
// so does an init whose launch died before `started` returned (nothing recorded the
// instance, and a later launch could not find it).
struct Linger {
  std::chrono::milliseconds period{0};
  int lock = -1;
};

// Call single-threaded, after unshare_pid_namespace(). Forks init, which runs
// `enter_view`, then forks the app, which runs `exec_app` (it execs). An error either
// throws before the app starts is thrown here (as run_child does), after init ended.
// Once the app has exec'd, `started(init_pid)` runs here. Signals sent to this process
// with kill(2) are passed to init, and by init to the app. Returns the app's raw wait
// status as soon as the app ends (UntilEmpty: init may still be running). When init
// leaves with the app, this process waits for it to be gone (the namespace torn down)
// before returning, or, if `init_leaving` is given, calls it with init's pid instead.
// A lingering init (`linger`) always stays when the app ends, and keeps `linger.lock`.
// init closes every descriptor it inherited but `init_keeps`: the pipes that keep the
// launch's host-side helpers (the D-Bus proxies) alive as long as the instance lives,
// so launches that joined it keep their bus after the first app exits, and the lock
// of a throw-away sandbox, held while anything of the launch lives (vfs/work_dirs.h).
// With a `terminal` (redirect/terminal_relay.h) the app is attached to it before
// `exec_app`, init reports the app's stops, and this process relays the terminal
// until the app has ended.
int run_in_pid_namespace(const std::function<void()>& enter_view, const std::function<void()>& exec_app,
                         InitLifetime lifetime, const std::function<void(pid_t)>& started,
                         const std::vector<int>& init_keeps = {},
                         const std::function<void(pid_t)>& init_leaving = {}, TerminalRelay* terminal = nullptr,
                         const Linger& linger = {});

}  // namespace appv
