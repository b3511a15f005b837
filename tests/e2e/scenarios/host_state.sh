#!/usr/bin/env bash
# Host state in the view: the users, time zone, host name, DNS, mount table and CA
# store are the host's in every mode, /etc full included, and the app cannot change
# them. As root, also a user /etc/passwd does not list (generated entry) and a host
# whose time zone differs from the packing machine's (a private mount namespace
# shows Asia/Tokyo at /etc/localtime).
# Run alone: ctest -R e2e_user_host_state (and e2e_root_host_state, as root).
source "$1/lib.sh"
# Each launch must build its view with the host state of its moment and namespace (the
# Tokyo check's private /etc/localtime): a view lingering from the launch before
# (APPV_LINGER_MS, e2e linger.sh) would be joined, showing the host state it was built with.
export APPV_LINGER_MS=0
packed tools.appv /usr/bin/whoami /usr/bin/id /usr/bin/date /usr/bin/cat /usr/bin/sha256sum /bin/sh \
  || bad "pack the tools this scenario runs"

for view in default full; do
  opts=(); [[ $view == full ]] && opts=("${FULL[@]}")
  # run ENTRY [ARGS...]: one of the packed tools, in this view.
  run() { "$A" run "${opts[@]}" --entry "$1" tools.appv "${@:2}"; }
  same "$view: whoami names the user who runs it" "$me" "$(run whoami 2>&1)"
  same "$view: id -gn names the group" "$(id -gn)" "$(run id -gn 2>&1)"
  same "$view: the host name is the host's" "$(cat /etc/hostname)" "$(run cat /etc/hostname 2>&1)"
  same "$view: resolv.conf is the host's" "$(sha256sum < /etc/resolv.conf)" "$(run cat /etc/resolv.conf 2>/dev/null | sha256sum)"
  same "$view: the time zone is the host's" "$(date +%Z)" "$(run date +%Z 2>&1)"
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    same "$view: the CA bundle is the host's" "$(sha256sum < /etc/ssl/certs/ca-certificates.crt)" \
      "$(run cat /etc/ssl/certs/ca-certificates.crt 2>/dev/null | sha256sum)"
  fi
  check "$view: the mount table reads the app's own mounts" bash -c "'$A' run ${opts[*]} --entry cat tools.appv /etc/mtab | grep -q ' / '"
  before=$(sha256sum < /etc/hosts)
  check "$view: /etc/hosts cannot be changed" bash -c "! '$A' run ${opts[*]} --entry sh tools.appv -c 'echo 1.2.3.4 evil >> /etc/hosts' 2>/dev/null"
  same "$view: the host's /etc/hosts is untouched" "$before" "$(sha256sum < /etc/hosts)"
  check "$view: nor is the app's own view of it" bash -c "! '$A' run ${opts[*]} --entry cat tools.appv /etc/hosts | grep -q evil"
done

if [[ $(id -u) -eq 0 ]]; then
  # A uid /etc/passwd does not know (a user from LDAP or sssd): the view lists it
  # under the name in $USER, and the host's own entries stay.
  ghost_home=$(mktemp -d /tmp/appv-ghost.XXXXXX)
  chown 4242:4242 "$ghost_home"
  cp tools.appv "$ghost_home/"
  chown 4242:4242 "$ghost_home/tools.appv"
  as_ghost() {
    (cd "$ghost_home" && env -i HOME="$ghost_home" USER=ghost PATH=/usr/bin:/bin \
      setpriv --reuid 4242 --regid 4242 --clear-groups "$A" run "${FULL[@]}" --entry "$1" tools.appv "${@:2}")
  }
  same "a user /etc/passwd lacks is named from \$USER" "ghost" "$(as_ghost whoami 2>&1)"
  same "and the host's entries are still there" "root" "$(as_ghost id -un 0 2>&1)"
  check "the host's /etc/passwd is untouched" bash -c "! grep -q '^ghost:' /etc/passwd"
  rm -rf "$ghost_home"

  # A host in another time zone than the packer's: the view shows the host's.
  if [[ -f /usr/share/zoneinfo/Asia/Tokyo ]]; then
    same "the time zone of a host in Tokyo" "JST" \
      "$(unshare -m --propagation private sh -c "mount --bind /usr/share/zoneinfo/Asia/Tokyo /etc/localtime && '$A' run ${FULL[*]} --entry date tools.appv +%Z" 2>&1)"
  fi
fi
finish
