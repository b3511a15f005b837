#!/usr/bin/env bash
# Namespaces allowed, mounts refused with EPERM inside them, as Ubuntu's AppArmor
# restriction does; here by a seccomp filter (this kernel has no AppArmor), so the
# message must name the filter, not AppArmor.
# Run alone: ctest -R refusals_seccomp_mount (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== refused: mounts inside the namespace, by a seccomp filter"
check "the harness: the user still makes a user namespace" as seccomp-mount unshare -U true
refused seccomp-mount mount EPERM seccomp \
  "appv: cannot mount inside a new mount namespace: Operation not permitted (EPERM)" \
  "a seccomp filter refuses mount (Seccomp: 2 in /proc/self/status" \
  "ways out: run it outside the container"
err=$(as seccomp-mount ./appv run jq.appv -n 1 2>&1)
lacks "seccomp-mount: the message does not blame AppArmor" AppArmor "$err"
finish
