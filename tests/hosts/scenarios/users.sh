#!/usr/bin/env bash
# Users and groups are the foreign host's: a package of coreutils' whoami and id, packed
# here, names the host's users (tanaka, uid 2001, a name and id this machine does not
# have) as root and as tanaka, in the default view and with the system trees full.
# Run alone: ctest -R hosts_bullseye_users (or hosts_trixie_users).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== users and groups on $suite"
packed "$pkgs/ids.appv" /usr/bin/whoami /usr/bin/id
same "control: this machine has no user 2001" "" "$(getent passwd 2001)"
for who in "${USERS[@]}"; do
  same "control: the $suite host's own whoami, as $who" "$who" "$(on "$who" -- whoami)"
done
for who in "${USERS[@]}"; do
  for view in "${VIEWS[@]}"; do
    at="$suite, as $who, $view view"
    same "$at: whoami" "$who" "$(app "$who" "$view" "$pkgs/ids.appv")"
    same "$at: id -un" "$who" "$(app "$who" "$view" "$pkgs/ids.appv" --appv-entry id -un)"
    same "$at: id -gn" "${GROUP_OF[$who]}" "$(app "$who" "$view" "$pkgs/ids.appv" --appv-entry id -gn)"
    same "$at: id -un 2001 (another user of the host)" "tanaka" "$(app "$who" "$view" "$pkgs/ids.appv" --appv-entry id -un 2001)"
  done
done
finish
