// Taking from the app every privilege the process that launches it may hold, so the app
// has no more than the user's own rights (invariant 4), also when root launches it.
#pragma once

namespace appv {

// Sets no_new_privs, then empties every capability set of the calling thread: the
// bounding set (PR_CAPBSET_DROP for each capability up to cap_last_cap), the ambient
// set, and inheritable, permitted and effective (capset). After this, execve gives no
// capability, even to uid 0 and even for set-uid or file-capability binaries.
// Throws Exit::Environment (with errno) if a set cannot be emptied. Run it last before
// install_seccomp_filter() and execve: mounting and setns need the capabilities.
void drop_privileges();

// Empties the bounding set (PR_CAPBSET_DROP for each capability up to cap_last_cap)
// and remembers it, so that the calls below skip that step in this process and in
// children forked after it: the ptrace backend's root supervisor empties it once
// before it forks the app, instead of once in each. Needs CAP_SETPCAP for a
// capability still held; throws Exit::Environment with errno if a drop is refused.
void empty_bounding_set();

// For a caller other than root, who may not shrink the bounding set (no CAP_SETPCAP):
// no_new_privs, then the ambient, inheritable, permitted and effective sets emptied
// (a user given capabilities by pam_cap or `setpriv --ambient-caps` keeps none in
// the app). The bounding set stays; with no_new_privs no execve adds to the others.
// Made with raw system calls (base/raw_syscall.h), allocating nothing and leaving
// errno alone, for the ptrace backend's app process, which shares its supervisor's
// memory until its exec (redirect/traced_app_start.h). Returns the step that failed
// and its errno ({Step::None, 0} when all were made).
struct CapabilityDrop {
  enum class Step : int { None, NoNewPrivs, Ambient, Capabilities };
  Step step = Step::None;
  int err = 0;
  // Throws Exit::Environment naming the step and its errno, if one failed.
  void throw_if_failed() const;
};
CapabilityDrop drop_user_capabilities();

// The same as drop_privileges, except that capability `kept` (e.g. CAP_KILL) stays permitted and
// effective (not in the bounding set: no program exec'd gets it). For the PID
// namespace's init: a process whose permitted set is not a subset of the app's cannot
// be ptraced by it, nor its /proc/<pid>/mem, fd or environ opened
// (cap_ptrace_access_check), while the user who owns its user namespace still may
// join its namespaces.
void drop_privileges_but(int kept);

// The ptrace backend's root supervisor, once its app runs (redirect/app_rights.h):
// what it does on the app's behalf (opens, copy-up, rename, listings) it does with
// the app's rights, a capability-less uid 0, so it reads and replaces only what the
// app itself could. Empties the bounding, ambient, inheritable and effective sets;
// `kept` (CAP_SYS_ADMIN, for the trusted.overlay.opaque mark a root overlay reads)
// stays permitted only, raised around the calls that need it
// (raise_kept_capability). It may still trace the app: the app's permitted set
// (empty) is a subset of its own. For good: the process keeps no other capability to
// take back. Throws Exit::Environment with errno if a set cannot be changed.
void drop_supervisor_privileges(int kept);

// After drop_supervisor_privileges(kept): makes `kept` effective (`raise`) or not.
// Returns 0 or the errno of capset(2).
int raise_kept_capability(int kept, bool raise);

}  // namespace appv
