#!/usr/bin/env bash
# The AppArmor 4 form of appv's profile, the one Ubuntu >= 23.10 needs, through
# AppArmor 4's own parser: the package scripts/build-deb --apparmor-abi 4.0 writes, its
# profile parsed by Debian 13's apparmor_parser on a Debian 13 host (tests/hosts), and
# refused by this machine's AppArmor 3 parser (why build-deb writes one form per
# release). Debian 13's apparmor package is fetched once with apt from the mirror the
# trixie root was bootstrapped from, and kept beside the roots.
#   apparmor4.sh SOURCE_DIR BUILD_DIR
# Root only; exit 77 otherwise.
set -uo pipefail
src=$1 build=$2
if [[ $(id -u) -ne 0 ]]; then echo "SKIPPED: the foreign host needs root"; exit 77; fi
command -v apparmor_parser >/dev/null || { echo "FAIL: apparmor_parser is not installed (scripts/install-deps --test)"; exit 1; }
trixie=$("$src/tests/hosts/ensure-root" trixie) || exit $?
cache=${APPV_TEST_HOSTS_CACHE:-/var/cache/appv-test-hosts}/apparmor-trixie
work=$(mktemp -d /tmp/appv-aa4-test.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
failures=0 checks=0
check() {
  checks=$((checks + 1))
  local out
  if out=$("${@:2}" 2>&1); then echo "ok   $1"; else echo "FAIL $1"; printf '%s\n' "$out" | sed 's/^/     /' | head -30; failures=$((failures + 1)); fi
}

# Debian 13's apparmor package, unpacked: its parser (libc only) and its policy
# (abi/4.0, tunables). Fetched with this machine's apt, pointed at trixie.
exec 9>"$cache.lock"
flock 9
if [[ ! -x $cache/usr/sbin/apparmor_parser ]]; then
  echo "fetching Debian 13's apparmor package into $cache"
  apt=$work/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/get"
  grep '^deb ' "$trixie/etc/apt/sources.list" >"$apt/sources.list"
  opts=(-qq -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update && (cd "$apt/get" && apt-get "${opts[@]}" download apparmor) || {
    echo "FAIL: cannot fetch trixie's apparmor package"; exit 1; }
  rm -rf "$cache.new"
  dpkg-deb -x "$apt"/get/apparmor_*.deb "$cache.new"
  rm -rf "$cache"
  mv "$cache.new" "$cache"
fi
exec 9>&-

deb=$("$src/scripts/build-deb" --build-dir "$build" --output-dir "$work" --apparmor-abi 4.0 2>"$work/build.log") || {
  echo "FAIL scripts/build-deb --apparmor-abi 4.0"; cat "$work/build.log"; exit 1; }
mkdir "$work/tree" "$work/aa"
dpkg-deb -x "$deb" "$work/tree"
cp "$work/tree/etc/apparmor.d/appv" "$work/aa/appv"
cp -a "$cache/." "$work/aa/apparmor/"
check "the profile is AppArmor 4's: abi 4.0 and userns" grep -qx '  allow userns,' "$work/aa/appv"
check "what appv executes runs stacked in the child profile" grep -qx '  allow pix /\*\* -> &appv//&unpriv_appv,' "$work/aa/appv"
check "the child profile denies every capability" \
  bash -c "sed -n '/^profile unpriv_appv /,/^}/p' \"\$1\" | grep -qx '  audit deny capability,'" _ "$work/aa/appv"
check "the profile is packaging/apparmor/appv itself" cmp "$src/packaging/apparmor/appv" "$work/aa/appv"
check "the package Breaks apparmor << 4.0" test "$(dpkg-deb -f "$deb" Breaks)" = "apparmor (<< 4.0~)"
check "AppArmor 4's apparmor_parser -QT accepts it (on Debian 13)" \
  "$src/tests/hosts/on-host" trixie --bind "$work/aa" -- \
  "$work/aa/apparmor/usr/sbin/apparmor_parser" --base "$work/aa/apparmor/etc/apparmor.d" -QT "$work/aa/appv"
check "it defines the profiles appv and unpriv_appv" bash -c '"$1" trixie --bind "$2" -- \
  "$2/apparmor/usr/sbin/apparmor_parser" --base "$2/apparmor/etc/apparmor.d" -QT -N "$2/appv" | sort | tr "\n" " " | grep -qx "appv unpriv_appv "' \
  _ "$src/tests/hosts/on-host" "$work/aa"
check "and it is AppArmor 4's parser" bash -c '"$1" trixie --bind "$2" -- "$2/apparmor/usr/sbin/apparmor_parser" --version | grep -q "version 4\."' \
  _ "$src/tests/hosts/on-host" "$work/aa"
check "AppArmor 3's parser refuses the 4.0 form (so one form per release)" bash -c '! apparmor_parser -QT "$1"' _ "$work/aa/appv"
echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
