#!/usr/bin/env bash
# A self-executing package that finds namespaces refused hands over to the appv the
# system installed (/usr/bin/appv, from the appv Debian package, which Ubuntu's
# AppArmor profile lets make them), and to no other: not one writable by others or
# owned by another user, never one found through $PATH (then it runs the app itself,
# with the ptrace backend). The installed appv is a fake
# that prints its command line, laid over /usr/bin in a mount namespace of the test's.
# Run alone: ctest -R refusals_hand_over (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== a refused self-executing package hands over to the installed appv"
fake=$work/fake-usr-bin
mkdir -m 755 "$fake"
cat >"$fake/appv" <<'SH'
#!/bin/sh
printf 'installed appv:'
printf ' [%s]' "$@"
echo
SH
# installed MODE OWNER KIND CMD...: CMD as the test user refused by KIND, on a host
# whose /usr/bin/appv is the fake with MODE and OWNER.
installed() {
  local mode=$1 owner=$2 kind=$3
  shift 3
  chmod "$mode" "$fake/appv"
  chown "$owner" "$fake/appv"
  unshare --mount --propagation private -- bash -c 'mount -t overlay -o "lowerdir=$1:/usr/bin" installed-appv /usr/bin &&
    shift && exec "$@"' _ "$fake" "$work/as-refused-user" "$kind" --home "$uhome" -- "$@"
}
pkg=$(realpath jq.appv)
same "the harness: the fake is the host's /usr/bin/appv" "installed appv: [x]" "$(installed 755 root none /usr/bin/appv x)"
same "refused (AppArmor's stand-in): the package runs as 'appv run' of itself, the app's words after --" \
  "installed appv: [run] [--] [$pkg] [--] [-n] [1]" "$(installed 755 root apparmor-standin ./jq.appv -n 1 2>&1)"
same "the package's own options become appv run's" \
  "installed appv: [run] [--entry] [jq] [--isolate] [/usr=full] [--temp] [--dry-run] [--] [$pkg] [--] [--help] [--]" \
  "$(installed 755 root apparmor-standin ./jq.appv --appv-entry jq --appv-isolate /usr=full --appv-temp --appv-dry-run \
       --help -- 2>&1)"
same "refused (Docker's filter): it hands over too" "installed appv: [run] [--] [$pkg] [--] [.]" \
  "$(installed 755 root seccomp-userns ./jq.appv . 2>&1)"
# Where it does not hand over, appv runs the app itself with the ptrace backend.
ran_itself() { grep -qx 1 <<<"$1" && grep -q "running with the ptrace backend" <<<"$1" && ! grep -q "installed appv" <<<"$1"; }
out=$(installed 775 root apparmor-standin ./jq.appv -n 1 2>&1)
check "not to an installed appv others may write: the package runs itself, with the ptrace backend ($out)" ran_itself "$out"
out=$(installed 755 appv-e2e apparmor-standin ./jq.appv -n 1 2>&1)
check "not to one another user owns ($out)" ran_itself "$out"
out=$(installed 755 root apparmor-standin ./appv run jq.appv -n 1 2>&1)
check "appv itself never hands over ($out)" ran_itself "$out"
rm -rf "$uhome"
same "where namespaces work, the package runs itself" "3" "$(installed 755 root none ./jq.appv -n 3 2>&1)"
# Its view lingers (APPV_LINGER_MS): a launch that namespaces are refused joins it, as
# joining creates none, instead of handing over or running with the ptrace backend.
out=$(installed 755 root apparmor-standin ./jq.appv -n 4 2>&1)
same "refused, within the linger of a view made where they work: the package joins it" 4 "$out"
lacks "  (not with the ptrace backend)" "ptrace" "$out"
lacks "  (not handed over)" "installed appv" "$out"
rm -rf "$uhome"
# An appv first in $PATH, none in /usr/bin: never run.
mkdir -m 755 "$work/path-bin"
cp "$fake/appv" "$work/path-bin/appv"
out=$(as apparmor-standin env "PATH=$work/path-bin:/usr/bin:/bin" ./jq.appv -n 1 2>&1)
lacks "never an appv found through \$PATH" "installed appv" "$out"
check "  (the package runs itself instead)" ran_itself "$out"
finish
