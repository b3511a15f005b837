#!/usr/bin/env bash
# appv's Debian package, built from this build tree by scripts/build-deb and checked as
# a user of it would: its control fields and file list, its AppArmor profile through
# this release's apparmor_parser, lintian, and a real `dpkg -i` on a throw-away copy of
# this machine (dpkg checks Depends against this machine's own package database),
# where the installed appv runs, packs a program and the package it wrote runs; the
# completion loads, the man pages render, remove and purge leave nothing behind.
#   package.sh SOURCE_DIR BUILD_DIR
# Root only (the throw-away host is a mount namespace); exit 77 otherwise.
set -uo pipefail
src=$1 build=$2
if [[ $(id -u) -ne 0 ]]; then echo "SKIPPED: installing the package into a scratch host needs root"; exit 77; fi
for tool in apparmor_parser lintian man dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps --test)"; exit 1; }
done
work=$(mktemp -d /tmp/appv-deb-test.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
failures=0 checks=0
check() {  # check WHAT COMMAND...: passes when COMMAND succeeds
  checks=$((checks + 1))
  local out
  if out=$("${@:2}" 2>&1); then
    echo "ok   $1"
  else
    echo "FAIL $1"
    printf '%s\n' "$out" | sed 's/^/     /' | head -40
    failures=$((failures + 1))
  fi
}

deb=$("$src/scripts/build-deb" --build-dir "$build" --output-dir "$work" 2>"$work/build.log") || {
  echo "FAIL scripts/build-deb"; cat "$work/build.log"; exit 1; }
echo "built $deb"
dpkg-deb -I "$deb" >"$work/info"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | sort >"$work/contents"
field() { dpkg-deb -f "$deb" "$1"; }

# Control fields.
check "Package and Architecture" test "$(field Package) $(field Architecture)" = "appv $(dpkg --print-architecture)"
check "Version: the project's, with the commit" grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(\+git[0-9]+\.[0-9a-f]+)?$' <<<"$(field Version)"
depends_on() {  # depends_on PACKAGE: Depends names it, with or without a version
  local all=", $(field Depends),"
  [[ $all == *", $1 ("* || $all == *", $1,"* ]]
}
for lib in libc6 libstdc++6 libarchive13 libcurl4 libsodium23; do
  check "Depends names $lib" depends_on "$lib"
done
# The system-call filter is compiled when appv is built (redirect/seccomp_program_gen.cpp).
check "Depends does not name libseccomp2, which nothing installed links" bash -c '! grep -q "libseccomp" <<<"$1"' _ "$(field Depends)"
check "Recommends xdg-dbus-proxy" test "$(field Recommends)" = xdg-dbus-proxy
check "Built-Using names the stub's static sources" bash -c 'for s in glibc libarchive libzstd libsodium; do grep -q "\b$s (= " <<<"$1" || exit 1; done' _ "$(field Built-Using)"
check "this release's profile: no Breaks on apparmor" test -z "$(field Breaks)"

# Files.
for f in /usr/bin/appv /usr/lib/appv/appv-stub /usr/lib/appv/libappv-pack.so /usr/lib/appv/libappv-distribution.so \
         /usr/lib/systemd/system/appv-sync.service /usr/lib/systemd/system/appv-sync.timer \
         /usr/share/bash-completion/completions/appv /usr/share/zsh/vendor-completions/_appv \
         /usr/share/fish/vendor_completions.d/appv.fish /usr/share/man/man1/appv.1.gz /usr/share/man/man1/appv-run.1.gz \
         /usr/share/man/man1/appv-sandbox.1.gz /etc/apparmor.d/appv /usr/share/doc/appv/copyright /usr/share/doc/appv/changelog.gz; do
  check "holds $f" grep -qx "$f" "$work/contents"
done
check "holds nothing under /usr/local, no uncompressed page" bash -c '! grep -E "^/usr/local|\.1$" "$1"' _ "$work/contents"
mkdir "$work/control" "$work/tree"
dpkg-deb -e "$deb" "$work/control"
dpkg-deb -x "$deb" "$work/tree"
check "the profile is a conffile" test "$(cat "$work/control/conffiles")" = /etc/apparmor.d/appv
check "md5sums covers every file" test "$(wc -l <"$work/control/md5sums")" = "$(cd "$work/tree" && find . -type f | wc -l)"
check "the unit runs the installed appv" grep -qx 'ExecStart=/usr/bin/appv sync --system --config /etc/appv/apps.toml' \
  "$work/tree/usr/lib/systemd/system/appv-sync.service"

# The AppArmor profile, through this release's parser (AppArmor 3 on Debian 12: the
# 3.0 form; tests/deb/apparmor4.sh checks the 4.0 form with AppArmor 4's).
check "apparmor_parser -QT accepts the profile" apparmor_parser -QT "$work/tree/etc/apparmor.d/appv"
check "the profile names appv and the stub" grep -q '^profile appv /usr/{bin/appv,lib/appv/appv-stub} flags=(unconfined) {$' \
  "$work/tree/etc/apparmor.d/appv"

# lintian: errors and warnings fail; the overrides the package ships say why each
# remaining tag is expected.
lintian_out=$(lintian --fail-on error,warning --display-info --allow-root "$deb" 2>&1)
lintian_status=$?
printf '%s\n' "$lintian_out" | sed 's/^/     lintian: /'
check "lintian: no error or warning" test "$lintian_status" = 0

# A throw-away copy of this machine: an overlay of / under a tmpfs in a mount and PID
# namespace, entered with pivot_root (a user namespace cannot be made in a chroot, and
# the packed program needs one). Nothing reaches this machine's files.
if [[ $(stat -f -c %T /) == overlayfs ]]; then
  echo "SKIPPED: / is overlayfs (a container): an overlay of it would leave appv no stacking depth"
  echo "$((checks - failures)) passed, $failures failed"
  exit 77
fi
cp "$deb" "$work/appv.deb"
cat >"$work/inside.sh" <<'INSIDE'
set -uo pipefail
failures=0 checks=0
check() {
  checks=$((checks + 1))
  local out
  if out=$("${@:2}" 2>&1); then echo "ok   $1"; else echo "FAIL $1"; printf '%s\n' "$out" | sed 's/^/     /' | head -30; failures=$((failures + 1)); fi
}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# A machine fresh from the package has no policy of appv's: one a test elsewhere
# left on this machine (signing, distribution) is not the scratch host's.
rm -rf /etc/appv
check "dpkg -i: installs with this release's packages" dpkg -i /scratch/appv.deb
check "appv is /usr/bin/appv" test "$(command -v appv)" = /usr/bin/appv
check "appv --version: version, package format, build" bash -c 'appv --version | sed -n 1,3p | grep -c "^appv [0-9]\|^package format: reads 1, writes 1$\|^build: " | grep -qx 3'
check "appv version says the same" bash -c 'test "$(appv version)" = "$(appv --version)"'
check "appv help run: run's help" bash -c 'appv help run | grep -q "^Usage: appv run"'
check "postinst: local/appv for local rules" test -f /etc/apparmor.d/local/appv
mkdir -p /root/p && cd /root/p
check "the installed appv packs jq (pack module, stub)" appv pack /usr/bin/jq -o jq.appv -q
check "the package starts with the installed stub" cmp -n "$(stat -c %s /usr/lib/appv/appv-stub)" /usr/lib/appv/appv-stub jq.appv
check "the packed jq runs" bash -c 'test "$(echo "{\"a\":42}" | ./jq.appv .a)" = 42'
check "the packed jq runs through appv run" bash -c 'test "$(echo "[1,2]" | appv run jq.appv -- length)" = 2'
check "as an unprivileged user too" bash -c '
  install -d -o appv-e2e /tmp/u && cp jq.appv /tmp/u/ && chown appv-e2e /tmp/u/jq.appv &&
  test "$(echo "{\"b\":7}" | setpriv --reuid appv-e2e --regid "$(id -g appv-e2e)" --clear-groups env -i HOME=/tmp/u PATH=/usr/bin:/bin /tmp/u/jq.appv .b)" = 7'
check "bash completion loads for appv" bash -c 'source /usr/share/bash-completion/completions/appv && complete -p appv | grep -q "_appv appv$"'
for page in /usr/share/man/man1/appv*.1.gz; do
  check "man renders $(basename "$page") without warnings" bash -c 'test -z "$(MANWIDTH=80 man -l --warnings "$1" 2>&1 >/dev/null)"' _ "$page"
done
check "man finds appv-run by name" bash -c 'MANWIDTH=80 man appv-run | grep -q "^NAME"'
check "dpkg -r: appv's files go, the conffile stays" bash -c 'dpkg -r appv >/dev/null && ! test -e /usr/bin/appv && ! test -e /usr/lib/appv && test -f /etc/apparmor.d/appv'
check "dpkg -P: the profile and local/appv go" bash -c 'dpkg -P appv >/dev/null && ! test -e /etc/apparmor.d/appv && ! test -e /etc/apparmor.d/local/appv'
check "dpkg knows nothing of appv after the purge" bash -c '! dpkg -s appv >/dev/null 2>&1'
echo "$checks $failures" >/scratch/counts
INSIDE
id appv-e2e >/dev/null 2>&1 || useradd --system --no-create-home appv-e2e
unshare --mount --pid --fork --propagation private bash -s "$work" <<'HOST'
set -euo pipefail
work=$1
layer=$work/layer
mkdir "$layer"
mount -t tmpfs -o mode=755 scratch-layer "$layer"
mkdir "$layer/upper" "$layer/work" "$layer/root"
new=$layer/root
mount -t overlay scratch-root -o "lowerdir=/,upperdir=$layer/upper,workdir=$layer/work" "$new"
mount -t proc proc "$new/proc"
mount --rbind /sys "$new/sys"
mount --rbind /dev "$new/dev"
mount -t tmpfs -o mode=1777 tmp "$new/tmp"
mount -t tmpfs -o mode=755 run "$new/run"
mount -t tmpfs -o mode=700 root-home "$new/root"
mkdir -p "$new/scratch"
mount --bind "$work" "$new/scratch"
cd "$new"
mkdir -p .old
pivot_root . .old
umount -l /.old
cd /
exec bash /scratch/inside.sh
HOST
read -r inner_checks inner_failures <"$work/counts" 2>/dev/null || { echo "FAIL the scratch host did not finish"; inner_checks=1 inner_failures=1; }
checks=$((checks + inner_checks)) failures=$((failures + inner_failures))
echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
