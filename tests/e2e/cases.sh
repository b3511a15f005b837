#!/usr/bin/env bash
# End-to-end cases: pack real Debian programs and run them through appv. Run by
# run-e2e as root or as an unprivileged user, in a scratch directory $1 holding
# appv, the example manifests and a fresh HOME.
set -uo pipefail
work=$1
cd "$work"
A=$work/appv
M=$work/manifests
me=$(id -un)
# /usr, /etc and every /lib* hidden: a program only works if its package is complete.
FULL=(--isolate /usr=full --isolate /etc=full --isolate /lib=full --isolate /lib64=full --isolate /lib32=full
      --isolate /libx32=full --isolate /bin=full --isolate /sbin=full)
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
# check NAME COMMAND...: the command must succeed.
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# same NAME EXPECTED ACTUAL
same() { if [[ $2 == "$3" ]]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi; }
# status NAME EXPECTED_STATUS COMMAND...: exit status, and (for appv's own errors)
# exactly one line on stderr.
status() {
  local name=$1 want=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [[ $rc -ne $want ]]; then bad "$name: status $rc, expected $want (stderr: $err)"; return; fi
  if [[ $want -ge 64 && $want -le 78 && $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then bad "$name: expected one line, got: $err"; return; fi
  ok "$name"
}

echo "== packing (as $me)"
check "pack jq by path" "$A" pack -q /usr/bin/jq -o jq.appv
check "pack jq from its manifest" "$A" pack -q -m "$M/jq.toml" -o jq-m.appv
check "pack sqlite3" "$A" pack -q -m "$M/sqlite3.toml" -o sqlite3.appv
check "pack file with its magic database" "$A" pack -q -m "$M/file.toml" -o file.appv
check "pack python3 with its standard library" "$A" pack -q -m "$M/python3.toml" -o python3.appv

echo "== inspecting"
info=$("$A" info jq.appv)
same "info names the app" "id:        jq" "$(grep '^id:' <<<"$info")"
check "info names the entry point" grep -q '^entry:     jq -> /usr/bin/jq  (default)$' <<<"$info"
check "ls shows virtual paths" grep -qx /usr/bin/jq <<<"$("$A" ls jq.appv)"
check "ls shows the loader's link chain" grep -q '^l 0777 .* /lib64 -> usr/lib64$' <<<"$("$A" ls -l jq.appv)"
check "verify accepts a sound package" "$A" verify jq.appv
offset=$(sed -n 's/^payload:   offset \([0-9]*\),.*/\1/p' <<<"$info")
check "the payload opens with tail, zstd and tar" grep -qx root/usr/bin/jq <<<"$(tail -c +$((offset + 1)) jq.appv | zstd -dc | tar -t)"
check "extract writes the tree" "$A" extract jq.appv out
check "extracted jq is there" test -x out/root/usr/bin/jq
status "extract refuses an existing directory" 64 "$A" extract jq.appv out

echo "== reproducibility"
"$A" pack -q /usr/bin/jq -o jq-again.appv
check "two packs are byte-identical" cmp -s jq.appv jq-again.appv
SOURCE_DATE_EPOCH=1700000000 "$A" pack -q /usr/bin/jq -o jq-sde.appv
check "SOURCE_DATE_EPOCH changes the bytes" bash -c '! cmp -s jq.appv jq-sde.appv'

echo "== running with /usr, /etc and /lib* hidden"
same "jq filter" "6" "$(echo '{"a":[1,2,3]}' | "$A" run "${FULL[@]}" jq.appv -c '.a|add')"
same "jq with -- before its arguments" "1" "$(echo '{"a":1}' | "$A" run "${FULL[@]}" jq.appv -- .a)"
same "jq --version" "jq-1.6" "$("$A" run "${FULL[@]}" jq.appv --version)"
status "jq's own exit status passes through" 1 bash -c "echo null | '$A' run jq.appv -e ."
status "jq's error status passes through" 5 bash -c "'$A' run jq.appv -n 'error(\"x\")'"
rm -f db.sqlite
same "sqlite3 query on a new database" "42" \
  "$("$A" run "${FULL[@]}" sqlite3.appv "$work/db.sqlite" 'create table t(x); insert into t values (41); select x + 1 from t;')"
check "the database was written to the (merged) working directory" test -s db.sqlite
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde' > x.png
check "file names a PNG as PNG" grep -q '^PNG image data, 1 x 1' <<<"$("$A" run "${FULL[@]}" file.appv -b "$work/x.png")"
same "python imports json, sqlite3 and decimal" '{"third": "0.3333", "sqlite": true}' \
  "$("$A" run "${FULL[@]}" python3.appv -c '
import json, sqlite3, decimal
decimal.getcontext().prec = 4
db = sqlite3.connect(":memory:")
print(json.dumps({"third": str(decimal.Decimal(1) / 3), "sqlite": db.execute("select 1").fetchone() == (1,)}))')"
status "a signal's death passes through as 128+N" 143 "$A" run python3.appv -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'
check "the dry run prints the mount plan" grep -q '^  overlay  /usr  lower=.*/root/usr upper=' <<<"$("$A" run --dry-run "${FULL[@]}" jq.appv)"

same "the sandbox is private to its user" "700" "$(stat -c %a "$HOME/.local/share/appv/sandboxes/jq")"

echo "== writecopy keeps the host untouched"
probe='import os
for p in ("/etc/appv-e2e-probe", "/usr/appv-e2e-probe"):
    if os.path.exists(p):
        print(open(p).read(), end=" ")
    else:
        open(p, "w").write(p)
print()'
"$A" run python3.appv -c "$probe" >/dev/null
check "a write into /etc did not reach the host" test ! -e /etc/appv-e2e-probe
check "a write into /usr did not reach the host" test ! -e /usr/appv-e2e-probe
same "the next run finds its own writes again" "/etc/appv-e2e-probe /usr/appv-e2e-probe" "$("$A" run python3.appv -c "$probe" | sed 's/ $//')"
if [[ $(id -u) -eq 0 ]]; then
  before=$(sha256sum /etc/hostname)
  "$A" run python3.appv -c 'open("/etc/hostname", "a").write("changed\n")'
  same "changing a host file changes only the sandbox's copy" "$before" "$(sha256sum /etc/hostname)"
  check "the app sees its change" grep -q changed <<<"$("$A" run python3.appv -c 'print(open("/etc/hostname").read())')"
  "$A" run python3.appv -c 'import os; os.remove("/etc/hostname")'
  check "deleting a host file hides it from the app only" test -f /etc/hostname
  same "the app no longer sees it" "False" "$("$A" run python3.appv -c 'import os; print(os.path.exists("/etc/hostname"))')"
fi

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

echo "== desktop integration"
data=$HOME/.local/share
# What the user's desktop directories hold: names, types, modes and contents.
snapshot() {
  (cd "$data" 2>/dev/null || exit 0
   find applications icons mime -printf '%y %m %p\n' 2>/dev/null | sort
   find applications icons mime -type f -exec sha256sum {} + 2>/dev/null | sort)
}
convert -size 48x48 xc:orange -fill navy -draw 'circle 24,24 24,6' "$work/icon.png"
cat > xmessage-gui.toml <<TOML
id = "org.x.xmessage"
name = "xmessage"
version = "1"
[entry.xmessage]
path = "/usr/bin/xmessage"
args = ["-geometry", "400x200+0+0", "-bg", "yellow", "hello from appv"]
[files]
include = ["$work/icon.png"]
[desktop]
name = "Hello from appv"
icon = "$work/icon.png"
categories = ["Utility"]
mime_types = ["text/plain"]
TOML
mkdir -p "$work/my apps"
check "pack the GUI program" "$A" pack -q -m xmessage-gui.toml -o "$work/my apps/xmessage.appv"

before=$(snapshot)
check "install into a fresh home" "$A" install "$work/my apps/xmessage.appv"
entry=$data/applications/appv.org.x.xmessage.xmessage.desktop
check "a desktop entry was written" test -f "$entry"
check "it passes desktop-file-validate" desktop-file-validate "$entry"
check "the .appv handler passes desktop-file-validate" desktop-file-validate "$data/applications/appv.open.desktop"
check "the icon is in the hicolor theme" test -f "$data/icons/hicolor/48x48/apps/appv.org.x.xmessage.png"
check "application/x-appv is in the MIME database" grep -q 'application/x-appv' "$data/mime/globs2"
check "the app is associated with its MIME type" grep -q '^text/plain=.*appv.org.x.xmessage.xmessage.desktop' "$data/applications/mimeinfo.cache"
check "appv list shows it" grep -q "^org.x.xmessage	1	$data/appv/packages/org.x.xmessage.appv$" <<<"$("$A" list)"

# Start the app the way a desktop does: from the entry's Exec line, field codes
# dropped, quoting undone (by Python's shlex, which follows the same rules here).
exec_value=$(sed -n 's/^Exec=//p' "$entry")
display=:$((50 + RANDOM % 200))
Xvfb "$display" -screen 0 640x480x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
mapfile -t cmd < <(/usr/bin/python3 -c 'import shlex, sys; [print(a) for a in shlex.split(sys.argv[1]) if not a.startswith("%")]' "$exec_value")
DISPLAY=$display "${cmd[@]}" &
app=$!
for _ in $(seq 100); do xwininfo -display "$display" -root -children 2>/dev/null | grep -q '"xmessage"' && break; sleep 0.1; done
import -display "$display" -window root "$work/screen.png" 2>/dev/null
colours=$(convert "$work/screen.png" -format %k info: 2>/dev/null)
check "the window appeared on the screen (not blank: ${colours:-0} colours)" test "${colours:-0}" -ge 2
check "the screen shows xmessage's yellow" bash -c "convert '$work/screen.png' -format %c histogram:info: | grep -qi 'yellow\|#FFFF00'"
kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null

check "uninstall" "$A" uninstall org.x.xmessage
same "install then uninstall leaves the desktop directories as they were" "$before" "$(snapshot)"
check "the sandbox is kept" test -d "$data/appv/sandboxes/org.x.xmessage"

# Again with the user's own entries and MIME types already there.
mkdir -p "$data/applications" "$data/mime/packages"
printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=true\nMimeType=text/x-mine;\n' > "$data/applications/mine.desktop"
printf '<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info"><mime-type type="text/x-mine"><glob pattern="*.mine"/></mime-type></mime-info>\n' > "$data/mime/packages/mine.xml"
update-mime-database "$data/mime" >/dev/null 2>&1
update-desktop-database "$data/applications" >/dev/null 2>&1
before=$(snapshot)
"$A" install "$work/my apps/xmessage.appv" >/dev/null && "$A" install "$work/my apps/xmessage.appv" >/dev/null
check "reinstalling keeps one entry" test "$(ls "$data/applications" | grep -c appv.org.x.xmessage)" -eq 1
"$A" uninstall org.x.xmessage >/dev/null
same "with the user's own files too, uninstall restores them exactly" "$before" "$(snapshot)"
status "uninstalling what is not installed" 64 "$A" uninstall org.x.xmessage
if [[ $(id -u) -eq 0 ]]; then
  sys_snapshot() {
    (cd /usr/local/share && find applications icons mime -printf '%y %m %p\n' 2>/dev/null | sort
     find applications icons mime -type f -exec sha256sum {} + 2>/dev/null | sort)
    find /var/lib/appv 2>/dev/null | sort
  }
  before=$(sys_snapshot)
  check "install --system" "$A" install --system "$work/my apps/xmessage.appv"
  check "a system-wide desktop entry" desktop-file-validate /usr/local/share/applications/appv.org.x.xmessage.xmessage.desktop
  check "appv list --system shows it" grep -q '^org.x.xmessage' <<<"$("$A" list --system)"
  check "uninstall --system" "$A" uninstall --system org.x.xmessage
  same "the system directories are as they were" "$before" "$(sys_snapshot)"
else
  status "install --system needs root" 64 "$A" install --system "$work/my apps/xmessage.appv"
fi

echo "== bad input: one line, a distinct status, nothing left behind"
head -c 5000 /dev/urandom > junk.appv
status "info on a file that is not a package" 65 "$A" info junk.appv
status "info on a missing file" 66 "$A" info missing.appv
head -c -10 jq.appv > truncated.appv
status "verify on a truncated package" 65 "$A" verify truncated.appv
# A package never run before: a warm launch trusts the cache entry named by a
# verified digest and never rereads the payload, so corruption shows on first use.
cp jq-sde.appv flipped.appv
read -r poff psize < <(sed -n 's/^payload:   offset \([0-9]*\), \([0-9]*\) bytes.*/\1 \2/p' <<<"$("$A" info flipped.appv)")
printf '\xff' | dd of=flipped.appv bs=1 seek=$((poff + psize / 2)) conv=notrunc status=none
status "verify on a flipped payload byte" 65 "$A" verify flipped.appv
status "run on a flipped payload byte" 65 "$A" run flipped.appv --version
digest=$(sed -n 's/^payload:   .*sha256 \([0-9a-f]*\)$/\1/p' <<<"$("$A" info flipped.appv)")
check "no cache entry for the refused package" test ! -e "$HOME/.cache/appv/$digest"
check "no temporary extraction left" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"
status "extract of a flipped package" 65 "$A" extract flipped.appv flipped-out
check "no partial extraction" bash -c "! ls -a | grep -q 'flipped-out'"
status "run with a bad --isolate" 64 "$A" run --isolate /usr=sealed jq.appv
status "run with an unknown entry point" 64 "$A" run --entry nope jq.appv
status "pack of a missing program" 66 "$A" pack -q /nonexistent/program -o never.appv
check "a failed pack leaves no file" test ! -e never.appv
printf 'id = "x"\nversion = 1\n' > bad.toml
status "pack with a bad manifest" 65 "$A" pack -q -m bad.toml -o never.appv
status "an unknown command" 64 "$A" frobnicate
check "every command has --help" bash -c "for c in pack capture info ls verify extract run sandbox 'sandbox diff' 'sandbox import' registry 'registry set' keygen sign install; do '$A' \$c --help >/dev/null || exit 1; done"

echo "== concurrency, crashes and a full disk"
rm -rf "$HOME/.cache/appv"
for i in $(seq 16); do ("$A" run python3.appv -c 'print(1)' > "cold.$i" 2>&1; echo $? >> "cold.$i") & done
wait
good=0
for i in $(seq 16); do [[ $(cat "cold.$i") == $'1\n0' ]] && good=$((good + 1)); done
same "16 cold launches at once all succeed" 16 "$good"
same "they share one cache entry" 1 "$(ls "$HOME/.cache/appv" | grep -cv '\.lock$')"
check "and leave no temporary directory" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"

rm -rf "$HOME/.cache/appv"
for i in $(seq 8); do
  "$A" run python3.appv -c pass & victim=$!
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$victim" 2>/dev/null
  wait "$victim" 2>/dev/null
done
same "after SIGKILLs during extraction, the next launch works" "ok" "$("$A" run python3.appv -c 'print("ok")')"
check "and no temporary directory is left" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"
same "and there is one complete cache entry" 1 "$(ls "$HOME/.cache/appv" | grep -cv '\.lock$')"

# A cache on a 4 MB tmpfs, in a private mount namespace, for a 70 MB package.
mkdir -p small-cache
ns=(unshare -m --propagation private)
[[ $(id -u) -ne 0 ]] && ns=(unshare -Urm --propagation private)
full=$("${ns[@]}" bash -c 'mount -t tmpfs -o size=4m tmpfs "$1" || exit 99
  XDG_CACHE_HOME=$1 "$2" run "$3" -c pass 2>"$1/../full.err"; echo "status $?"
  echo "left: $(ls -A "$1/appv" | tr "\n" " ")"' full "$work/small-cache" "$A" python3.appv)
same "a full cache disk fails with an I/O status" "status 74" "$(head -1 <<<"$full")"
check "with one clear line" grep -q "^appv: not enough space in '$work/small-cache/appv'" full.err
same "leaving only the lock file" "left: $(sed -n 's/^payload:.*sha256 //p' <<<"$("$A" info python3.appv)").lock " "$(tail -1 <<<"$full")"

echo "== the hostile corpus, through every command"
mkdir corpus
"$work/make_hostile_corpus" "$work/corpus"
mkdir -p outside
touch outside/keep
outside_before=$(ls -A outside; ls /tmp | grep appv-hostile)
cache=$HOME/.cache/appv
while read -r file info_want other_want; do
  pkg=corpus/$file
  name=${file%.appv}
  status "hostile $name: info" "$info_want" "$A" info "$pkg"
  status "hostile $name: ls" "$other_want" "$A" ls "$pkg"
  status "hostile $name: verify" "$other_want" "$A" verify "$pkg"
  status "hostile $name: extract" "$other_want" "$A" extract "$pkg" "outside/x-$name"
  if [[ $other_want -ne 0 ]]; then
    check "hostile $name: no extraction left" test ! -e "outside/x-$name"
    status "hostile $name: run" "$other_want" "$A" run "$pkg"
  fi
  check "hostile $name: no temporary directory in the cache" bash -c "! ls -a '$cache' 2>/dev/null | grep -q '^\.tmp-'"
done < corpus/cases
# Only the one accepted package (100 000 empty files) may have produced a tree.
same "nothing was written outside the targets" "$outside_before" "$(ls -A outside | grep -vx 'x-100000-empty-files'; ls /tmp | grep appv-hostile)"
check "the accepted many-files package extracted completely" test "$(ls outside/x-100000-empty-files/root/many | wc -l)" -eq 100000
digests=$(for f in corpus/*.appv; do "$A" info "$f" 2>/dev/null | sed -n 's/^payload:.*sha256 //p'; done)
left=0
for d in $digests; do [[ -e $cache/$d ]] && left=$((left + 1)); done
same "no cache entry for any refused package" "0" "$left"

source "$work/isolation_cases.sh"
source "$work/capture_cases.sh"
source "$work/signing_cases.sh"
source "$work/distribution_cases.sh"

echo "== the user's home holds only appv's cache and sandboxes"
same "home contents" ".cache .local" "$(ls -A "$HOME" | tr '\n' ' ' | sed 's/ $//')"

echo "e2e as $me: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
