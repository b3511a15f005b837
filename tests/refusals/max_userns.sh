#!/usr/bin/env bash
# A host with user.max_user_namespaces=0 (RHEL 7, hardened kernels): a user namespace
# made by root with the sysctl at 0 inside it, the test user mapped to itself there.
# Run alone: ctest -R refusals_max_userns (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== refused: user.max_user_namespaces=0"
same "the harness: the user sees the sysctl at 0" "0" "$(as max-userns cat /proc/sys/user/max_user_namespaces)"
refused max-userns user-namespace ENOSPC max-user-namespaces \
  "appv: cannot create a user namespace: No space left on device (ENOSPC)" \
  "user namespaces are disabled on this host (user.max_user_namespaces=0)" \
  "ways out: an administrator can enable them: sysctl -w user.max_user_namespaces=15000"
finish
