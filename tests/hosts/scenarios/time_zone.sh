#!/usr/bin/env bash
# The time zone is the foreign host's (/etc/localtime -> Asia/Tokyo, TZ unset), while
# this machine's is another: a package of coreutils' date, packed here, prints JST and
# Tokyo's offset as root and as tanaka, in the default view and with the system trees
# full (where the package has no zoneinfo of its own).
# Run alone: ctest -R hosts_bullseye_time_zone (or hosts_trixie_time_zone).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== time zone on $suite"
packed "$pkgs/date.appv" /usr/bin/date
check "control: this machine's time zone is not Tokyo's" test "$(TZ= date +%Z)" != JST
same "control: the $suite host's own date" "JST +0900" "$(on tanaka -- date +'%Z %z')"
for who in "${USERS[@]}"; do
  for view in "${VIEWS[@]}"; do
    at="$suite, as $who, $view view"
    same "$at: date +%Z" "JST" "$(app "$who" "$view" "$pkgs/date.appv" +%Z)"
    same "$at: the epoch in Tokyo" "1970-01-01 09:00 +0900" "$(app "$who" "$view" "$pkgs/date.appv" -d @0 +'%F %R %z')"
  done
done
finish
