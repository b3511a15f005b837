// Taking a sandbox for a launch or for a change made from outside the app, and the
// record of the instance running in it.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/unique_fd.h"
#include "vfs/sandbox.h"

namespace appv {

// Creates the sandbox (private, 0700) if needed and takes its lock: launches of one
// app enter its view one at a time, and `sandbox reset`/`import` and `registry set`
// wait for a launch in progress. The fd is close-on-exec.
UniqueFd lock_sandbox(const std::string& sandbox);

// A second open file description of the sandbox's lock file, not locked (close-on-exec,
// O_NOFOLLOW): what an instance's init and its teardown holder keep, so that init can
// take the lock when it leaves and the holder keep it taken until the teardown is done
// (redirect/pid_namespace.h Linger). Call with the sandbox's lock held (the file is
// then the one at its path). Throws Exit::Io.
UniqueFd open_sandbox_lock(const std::string& sandbox);

// lock_sandbox, then refuses (Exit::Busy) if the app is running: its overlay is
// mounted on the sandbox (changing an upper directory under a mounted overlay is
// undefined behaviour), or a ptrace launch supervises it (hold_sandbox_in_use) and
// would recreate what is removed. An idle or unreachable instance (vfs/sandbox.h
// Instance) is asked to leave first and waited for: only one where something still
// runs is refused.
// `doing` names the request in the message.
UniqueFd lock_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing);

// Removes the sandbox of `app` (all it wrote, its state and lock) after
// lock_stopped_sandbox (Exit::Busy while the app runs: `doing` names the request), and
// then the directory of sandboxes if that is left empty. The sandbox is first renamed
// aside (a .replaced-<app>-<pid> name that remove_stale_work_dirs clears after a
// crash), so a launch finds it whole or absent; its tree is removed without following
// any link the app made (vfs/work_dirs.h remove_work_dir: what cannot be removed is
// left as .unremovable-..., and the error says so). Returns the bytes the app had
// written (what is freed, roughly).
uint64_t remove_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing);

// A ptrace launch records no instance (it has no namespaces another launch could join):
// it holds <sandbox>/.in-use shared for as long as it supervises its app, so that
// changes from outside (lock_stopped_sandbox) see it running. Taken while the sandbox's
// lock is held; the fd is close-on-exec.
UniqueFd hold_sandbox_in_use(const std::string& sandbox);

// The instance recorded in <sandbox>/.instance (pid and start time, so a reused pid
// is not mistaken for it, and the view's identity) if its process still lives, with
// whether it is idle or unreachable (vfs/idle_instance.h namespace_activity); nullopt
// otherwise.
std::optional<Instance> running_instance(const std::string& sandbox);

// Records `pid` (the init of the app's PID namespace, in the host's numbering) as
// the instance whose view `view_id` launches may join, with the identity (device and
// inode) of the package tree at `package_root` it shows, which running_instance
// compares with the tree there then (Instance::tree_replaced).
void record_instance(const std::string& sandbox, const std::string& view_id, pid_t pid,
                     const std::string& package_root = {});

// Removes the record of the instance whose init is `pid`, ended and leaving (its
// namespace is being torn down: nobody can join it, and nothing of it runs); a record
// of another instance is left. Call with the sandbox's lock held. (An instance that
// lingered until it left on its own leaves its record behind: running_instance finds
// its process gone, and the next launch that builds the view records itself over it.)
void forget_instance(const std::string& sandbox, pid_t pid);

}  // namespace appv
