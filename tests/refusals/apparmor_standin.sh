#!/usr/bin/env bash
# Ubuntu >= 23.10: kernel.apparmor_restrict_unprivileged_userns=1 lets the namespace be
# made and refuses what needs capabilities in it. Where this kernel has that
# restriction on, the host itself is the test (the id maps are the first step it
# refuses); elsewhere (this CI host, no AppArmor) its stand-in: /proc showing the
# sysctl at 1, mounts refused with EPERM by a seccomp filter.
# Run alone: ctest -R refusals_apparmor_standin (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
if [[ $(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null) == 1 ]]; then
  echo "== refused: AppArmor's restriction of unprivileged user namespaces (this kernel's own)"
  kind=none step=id-map
else
  echo "== refused: AppArmor's restriction of unprivileged user namespaces (stand-in: sysctl shown, mounts refused)"
  control
  same "the harness: the user sees the sysctl at 1" "1" \
    "$(as apparmor-standin cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns)"
  kind=apparmor-standin step=mount
fi
refused "$kind" "$step" EPERM apparmor \
  "(EPERM); AppArmor " "(kernel.apparmor_restrict_unprivileged_userns=1)" \
  "ways out: install the appv Debian package (scripts/build-deb), whose AppArmor profile grants /usr/bin/appv 'userns'" \
  "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
finish
