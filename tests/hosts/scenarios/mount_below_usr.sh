#!/usr/bin/env bash
# A mount below the foreign host's /usr (/usr/local/share/vendor, a tmpfs, as software
# on another disk is): a package packed here runs there as root and as tanaka. In the
# default view it reads the host's file below the mount and its writes there land in
# its sandbox, the host's mount unchanged; with /usr full the host's tree, mount
# included, is hidden.
# Run alone: ctest -R hosts_bullseye_mount_below_usr (or hosts_trixie_mount_below_usr).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== a mount below /usr on $suite"
[[ ${APPV_TEST_HOSTS_NO_USR_MOUNT:-0} == 1 ]] && skip "APPV_TEST_HOSTS_NO_USR_MOUNT=1: the hosts have no mount below /usr"
packed "$pkgs/files.appv" /usr/bin/cat /usr/bin/touch /usr/bin/ls
vendor=/usr/local/share/vendor
same "control: the $suite host's own cat" "vendor data of $suite-tokyo" "$(on tanaka -- cat "$vendor/vendor.txt")"
for who in "${USERS[@]}"; do
  at="$suite, as $who"
  same "$at, default view: the app reads the host's file below the mount" "vendor data of $suite-tokyo" \
    "$(app "$who" default "$pkgs/files.appv" "$vendor/vendor.txt")"
  # The app writes below the mount, then lists it; the host lists it after the app.
  same "$at, default view: the app's write below the mount is its own, the host's mount unchanged" \
    "app: app-wrote vendor.txt | host: vendor.txt" \
    "$(on "$who" -- bash -c "$pkgs/files.appv --appv-entry touch $vendor/app-wrote &&
        echo \"app: \$($pkgs/files.appv --appv-entry ls $vendor | tr '\n' ' ')| host: \$(ls $vendor)\"")"
  same "$at, full view: the host's tree below /usr, mount included, is hidden" \
    "/usr/bin/ls: cannot access '$vendor': No such file or directory" \
    "$(app "$who" full "$pkgs/files.appv" --appv-entry ls -d "$vendor")"
done
finish
