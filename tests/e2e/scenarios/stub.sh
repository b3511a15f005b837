#!/usr/bin/env bash
# Self-executing packages: the runtime stub, and a package run in a root that
# holds nothing else (no appv, no /usr, no loader).
# Run alone: ctest -R e2e_user_stub (and e2e_root_stub, as root).
source "$1/lib.sh"
echo "== self-executing packages"
check "the runtime stub has no NEEDED entries" bash -c "readelf -d '$work/appv-stub' 2>&1 | grep -q 'no dynamic section'"
echo "runtime stub size: $(stat -c %s "$work/appv-stub") bytes"
check "pack writes a self-executing package by default" "$A" pack -q /usr/bin/jq -o jqx.appv
check "it is executable" test -x jqx.appv
same "it runs by itself" "3" "$(echo '[1,2]' | ./jqx.appv -c 'add')"
status "the app's status passes through the stub" 1 bash -c "echo null | ./jqx.appv -e ."
check "appv commands read it too" "$A" verify jqx.appv
check "appv ls reads it" grep -qx /usr/bin/jq <<<"$("$A" ls jqx.appv)"
same "appv run runs it" "2" "$("$A" run jqx.appv -n '1+1')"
check "--appv-info answers without running the app" grep -q '^id:        jq$' <<<"$(./jqx.appv --appv-info)"
status "an unknown --appv- option" 64 ./jqx.appv --appv-bogus
"$A" pack -q --no-exe /usr/bin/jq -o jq-plain.appv
same "--no-exe writes the same package without the stub" "$(($(stat -c %s jqx.appv) - $(stat -c %s "$work/appv-stub")))" "$(stat -c %s jq-plain.appv)"
cp jqx.appv stub-flipped.appv
printf '\x00' | dd of=stub-flipped.appv bs=1 seek=4096 conv=notrunc status=none
status "verify notices a changed runtime stub" 65 "$A" verify stub-flipped.appv

# A root with nothing but the package, /proc, /dev and an empty /tmp and HOME: no
# appv, no /usr, no libraries. Entered with pivot_root; the host's root is detached
# (with the host's own loader, run from the old root) before the package starts.
bare=$work/bare
mkdir -p "$bare/tmp" "$bare/proc" "$bare/dev" "$bare/home" "$bare/old"
cp jqx.appv "$bare/jqx.appv"
cp /usr/bin/jq "$bare/jq-dynamic"
chmod 1777 "$bare/tmp"
in_bare() {
  local ns=(unshare -m --propagation private)
  [[ $(id -u) -ne 0 ]] && ns=(unshare -Urm --propagation private)
  "${ns[@]}" env -i HOME=/home PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c '
    set -e
    bare=$1
    shift
    # The host umount is run from the old root through its own loader, since the
    # new root has no loader at all.
    loader=$(readlink -f "$(readelf -l /usr/bin/umount | sed -n "s/.*interpreter: \(.*\)]/\1/p")")
    mount --bind "$bare" "$bare"
    mount --rbind /proc "$bare/proc"
    mount --rbind /dev "$bare/dev"
    cd "$bare"
    pivot_root . old
    "/old$loader" --library-path "/old${loader%/*}" /old/usr/bin/umount -l /old
    exec "$@"' bare-run "$bare" "$@"
}
# The control: the same jq, dynamically linked, cannot even start there (its loader
# and libraries are gone), while everything before the final exec worked.
check "control: a dynamically linked program cannot start there" \
  grep -q '/jq-dynamic: cannot execute: required file not found' <<<"$(in_bare /jq-dynamic --version 2>&1)"
same "the self-executing package runs there" "jq-1.6" "$(in_bare /jqx.appv --version 2>&1)"
same "and filters stdin there" "6" "$(echo '[1,2,3]' | in_bare /jqx.appv -c add 2>&1)"
status "with the app's exit status" 1 in_bare /jqx.appv -e . <<<null

finish
