#!/usr/bin/env bash
# A container under Docker's default seccomp profile: unshare and namespace clones
# refused with EPERM, clone3 answered ENOSYS.
# Run alone: ctest -R refusals_seccomp_userns (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== refused: a seccomp filter as Docker's"
same "the harness: the user is under a filter" "2" "$(as seccomp-userns awk '/^Seccomp:/ {print $2}' /proc/self/status)"
# errno of unshare(CLONE_NEWUSER), of clone3 (x86_64's 435, no arguments), and
# whether fork works, as the filtered user sees them.
syscalls='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.unshare(0x10000000)
a = ctypes.get_errno()
libc.syscall(435, 0, 0)
b = ctypes.get_errno()
pid = os.fork()
if pid == 0:
    os._exit(7)
print(a, b, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))'
same "the harness: unshare EPERM, clone3 ENOSYS (as Docker's profile), fork works" "1 38 7" \
  "$(as seccomp-userns python3 -c "$syscalls")"
refused seccomp-userns user-namespace EPERM seccomp \
  "appv: cannot create a user namespace: Operation not permitted (EPERM)" \
  "a seccomp filter refuses CLONE_NEWUSER (Seccomp: 2 in /proc/self/status; Docker's default profile" \
  "ways out: run it outside the container, or start the container with a seccomp profile" \
  "docker run --security-opt seccomp=unconfined"
finish
