// The namespace-free backend's own system-call rules for the app, on top of the trace
// filter (base/tracing.h) and the filter every app runs under (seccomp_filter.h). The
// supervisor sees only the native calls its trace filter stops; these rules refuse
// what would go past it, or past appv once the launch has returned:
//   - every ABI but x86_64's, and x32 numbers on it (int $0x80 from a 64-bit program,
//     a 32-bit program): the process is killed, the arch compared first as Docker's
//     and Flatpak's filters do. The ptrace backend is x86_64-only (ptrace_backend.cpp);
//   - seccomp(2) with SECCOMP_FILTER_FLAG_NEW_LISTENER (EPERM): an app's own USER_NOTIF
//     answer outranks the supervisor's TRACE, and its helper's CONTINUE would run a
//     path call untranslated. Other filters of the app's own can only refuse more;
//   - io_uring_setup, io_uring_enter, io_uring_register (ENOSYS, and libraries fall
//     back to plain calls): IORING_OP_OPENAT and friends never stop for the tracer;
//   - clone with CLONE_UNTRACED (EPERM): the child would not be traced, and would
//     outlive the launch (PTRACE_O_EXITKILL reaches only tracees); clone3 already
//     answers ENOSYS (seccomp_filter.h);
//   - ioctl FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR (EPERM): chattr through a descriptor,
//     read-only ones included, of a lower (host) file the tracer never sees;
//   - ptrace (EPERM): a user's app would seize its own supervisor (same uid), and its
//     own tracees would stop for it instead of the supervisor;
//   - name_to_handle_at (EOPNOTSUPP), fanotify_init and fanotify_mark (EPERM): they
//     name host paths the supervisor does not translate (a hidden file's existence
//     and inode, a watch on it);
//   - numbers above kNewestKnownCall (ENOSYS, what an older kernel answers, so libc
//     falls back): calls newer than the backend's list of path calls take paths the
//     supervisor does not translate (fchmodat2, setxattrat, removexattrat,
//     open_tree_attr, file_setattr...). Newer calls that name no path (the futex2
//     calls, map_shadow_stack, mseal...) stay allowed by name.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace appv {

// The newest x86_64 system call the backend's path calls (redirect/path_syscalls.h)
// were written against: cachestat, Linux 6.5.
inline constexpr long kNewestKnownCall = 451;

// The rules as a classic BPF program over seccomp_data: an action for what they
// refuse, SECCOMP_RET_ALLOW for the rest. The app runs them at the head of the
// supervisor's trace filter, before appv's own (install_trace_filter's `first`,
// chain_filters): one filter to load and to run for each call instead of three, with
// the same outcome, since every action they take outranks the trace filter's TRACE
// and USER_NOTIF and appv's own refuses other calls.
std::vector<sock_filter> ptrace_app_rules();

// Loads the rules alone into the calling thread (it has set no_new_privs). Throws
// Exit::Environment with errno if the kernel refuses.
void install_ptrace_app_filter();

}  // namespace appv
