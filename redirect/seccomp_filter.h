// The system-call filter every app runs under (libseccomp), loaded as the last step
// before execve, after drop_privileges(). Modelled on Flatpak's (flatpak-run.c,
// setup_seccomp); everything not listed is allowed. Refused with EPERM:
//   - ioctl TIOCSTI and TIOCLINUX: typing into the terminal the app shares with the
//     user's shell (the app keeps the caller's session for job control, so this is
//     the way out through the tty). Only the low 32 bits of the request are compared,
//     as the kernel does.
//   - the kernel's keyring: add_key, keyctl, request_key (not namespaced);
//   - NUMA memory policy and pages: move_pages, mbind, get_mempolicy, set_mempolicy,
//     migrate_pages (leak information about other processes, rarely needed);
//   - new namespaces and leaving this one: unshare, setns, clone with CLONE_NEWUSER
//     (a user namespace gives back every capability and a fresh attack surface);
//   - mounting: mount, umount2 (umount), pivot_root, chroot, and the new mount API
//     fsopen, fsconfig, fsmount, fspick, open_tree, move_mount, mount_setattr;
//   - kernel surfaces no packaged app needs: syslog, uselib, acct, quotactl,
//     modify_ldt, bpf, perf_event_open, userfaultfd, kexec_load, kexec_file_load,
//     init_module, finit_module, delete_module, open_by_handle_at;
//   - personality above PER_LINUX32 (32-bit apps keep theirs): every flag, such as
//     READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE, and the 0xffffffff query.
// clone3 answers ENOSYS: its flags live in memory the filter cannot read, and libc
// falls back to clone, whose flags it can. On x86_64 the i386 (int 0x80) calls are
// filtered alike, so 32-bit apps run under the same list.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace appv {

// Loads the filter into the calling thread and the program it executes: a BPF program
// libseccomp compiled from the rules above when appv was built (redirect/
// seccomp_program_gen.cpp), so a launch only loads it. Sets no_new_privs, which
// drop_privileges() has set already (the kernel takes a filter from an unprivileged
// process only with it). Throws Exit::Environment if the kernel refuses it: appv never
// runs an app unfiltered.
void install_seccomp_filter();

// The same filter's program, for the ptrace backend, which runs it in one program with
// its own (ptrace_backend.cpp, base/tracing.h chain_filters).
std::vector<sock_filter> seccomp_program();

}  // namespace appv
