#!/usr/bin/env bash
# A container under Docker's default seccomp profile: unshare and namespace clones
# refused with EPERM, clone3 answered ENOSYS.
# Run alone: ctest -R refusals_seccomp_userns (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== refused: a seccomp filter as Docker's"
same "the harness: the user is under a filter" "2" "$(as seccomp-userns awk '/^Seccomp:/ {print $2}' /proc/self/status)"
refused seccomp-userns user-namespace EPERM seccomp \
  "appv: cannot create a user namespace: Operation not permitted (EPERM)" \
  "a seccomp filter refuses CLONE_NEWUSER (Seccomp: 2 in /proc/self/status; Docker's default profile" \
  "ways out: run it outside the container, or start the container with a seccomp profile" \
  "docker run --security-opt seccomp=unconfined"
finish
