# Helpers shared by every end-to-end scenario. Sourced by tests/e2e/scenarios/*.sh,
# which run-scenario starts as root or as an unprivileged user, in a scratch directory
# $1 holding appv, the example manifests, the scenarios and a fresh HOME.
# Contract: a scenario sources this file first and calls `finish` last; `finish`
# prints the count of checks and exits 0 only if none failed.
set -uo pipefail
work=$1
cd "$work"
A=$work/appv
M=$work/manifests
me=$(id -un)
scenario=$(basename "$0" .sh)
# /usr, /etc and every /lib* hidden: a program only works if its package is complete.
FULL=(--isolate /usr=full --isolate /etc=full --isolate /lib=full --isolate /lib64=full --isolate /lib32=full
      --isolate /libx32=full --isolate /bin=full --isolate /sbin=full)
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
# check NAME COMMAND...: the command must succeed.
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# same NAME EXPECTED ACTUAL
# info_field PKG FILTER: one value of `appv info --json PKG` (README "Output for scripts"),
# e.g. info_field jq.appv .payload.offset; fails when the package cannot be read.
info_field() { "$A" info --json "$1" | jq -er "$2"; }
# The payload's digest as the cache names its entry: hex, without "sha256:".
payload_digest() { info_field "$1" '.payload.digest | ltrimstr("sha256:")'; }
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
# skip REASON: the scenario does not apply here; ctest reports it as skipped (77).
skip() { echo "SKIPPED: $1" >&2; exit 77; }

# packed OUTPUT PACK_ARGS...: `appv pack -q PACK_ARGS... -o OUTPUT`, for a package a
# scenario needs but does not test the packing of. Packs are shared between
# scenarios through $APPV_E2E_PACKS (set by run-scenario: a directory per appv build,
# keyed by the hash of appv, its stub and its pack module), keyed again by the
# arguments, the manifest's contents and SOURCE_DATE_EPOCH. An entry is published
# with link(2), which fails if another scenario published it first: readers only
# ever see whole files.
packed() {
  local out=$1; shift
  local cache=${APPV_E2E_PACKS:-} key entry tmp
  if [[ -z $cache || ! -w $cache ]]; then "$A" pack -q "$@" -o "$out"; return; fi
  # The scratch directory's name differs on every run: keyed as a placeholder, so
  # "-m $M/python3.toml" finds the entry another scenario made.
  key=$( { printf '%s\n' "${SOURCE_DATE_EPOCH:-}" "${@//$work/@WORK@}"; for a in "$@"; do [[ $a == *.toml && -f $a ]] && cat "$a"; done; } | sha256sum | cut -c1-32)
  entry=$cache/$key.appv
  if [[ ! -f $entry ]]; then
    tmp=$(mktemp "$cache/.tmp-XXXXXX") || return 1
    if ! "$A" pack -q "$@" -o "$tmp.appv"; then rm -f "$tmp" "$tmp.appv"; return 1; fi
    chmod 755 "$tmp.appv"
    ln "$tmp.appv" "$entry" 2>/dev/null || true
    rm -f "$tmp" "$tmp.appv"
  fi
  cp "$entry" "$out"
}
# The packages most scenarios run.
pack_jq() { packed jq.appv /usr/bin/jq; }
pack_python3() { packed python3.appv -m "$M/python3.toml"; }
pack_sqlite3() { packed sqlite3.appv -m "$M/sqlite3.toml"; }
pack_file() { packed file.appv -m "$M/file.toml"; }
# A 1x1 PNG the `file` checks name.
make_png() {
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde' > "$work/x.png"
}
# The GUI package of the desktop scenario: xmessage with an icon and a desktop entry,
# written to "$work/my apps/xmessage.appv" (a directory name with a space).
# start_xvfb: a virtual screen for the GUI checks, ready to answer: sets $display
# (":N") and $xvfb (the server's pid, for the scenario to kill). -noreset: an X server
# resets when its last client leaves, closing a connection accepted in that moment (a
# start right after the previous window closed).
start_xvfb() {
  display=:$((50 + RANDOM % 200))
  Xvfb "$display" -screen 0 640x480x24 -nolisten tcp -noreset >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
}

xmessage_manifest() {
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
}

# appv_has_run: a home in which appv has run before (its cache and data directories
# exist), as the home of a scenario's later checks would be; a check that the rest
# of the home is unchanged then sees only what the app changed.
appv_has_run() { mkdir -p "$HOME/.cache/appv" "$HOME/.local/share/appv"; }

# As root, scenarios that change /etc/appv (policy, trusted keys, the system's app
# list) move the host's own aside first and put it back with restore_etc.
save_etc() {
  saved=""
  if [[ -e /etc/appv ]]; then saved=$(mktemp -d /etc/appv.e2e-saved.XXXXXX); mv /etc/appv "$saved/"; fi
}
restore_etc() { rm -rf /etc/appv; if [[ -n $saved ]]; then mv "$saved/appv" /etc/appv; rmdir "$saved"; fi; }

# The signature fixtures: keys release and intruder in keys/; jq packed unsigned,
# signed by release then also by intruder (trusted), signed by intruder alone
# (untrusted), and trusted with flipped bytes in its payload, manifest and signature.
run_status() { rm -rf "$HOME/.cache/appv"; "$A" run "$1" -n 1 >/dev/null 2>&1; echo $?; }
# matrix_of WHERE NAME...: "NAME=status ..." of running each package, found by `WHERE NAME`.
matrix_of() {
  local where=$1 got="" p
  shift
  for p in "$@"; do got+="$p=$(run_status "$($where "$p")") "; done
  echo "${got% }"
}

# finish: the home holds only appv's cache and sandboxes (whatever the scenario made
# there it removed), then the count.
finish() {
  same "$scenario: the user's home holds only appv's cache and sandboxes" "" \
    "$(ls -A "$HOME" | grep -vxE '\.cache|\.local' | tr '\n' ' ' | sed 's/ $//')"
  echo "e2e $scenario as $me: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
}

# Host state for "the host is left untouched" checks: every entry below each PATH
# (not crossing mounts) with its type, mode, owner, size, mtime and link target, and
# the SHA-256 of each file the caller can read; "absent PATH" for a missing one.
host_state() {
  local p
  for p in "$@"; do
    if [[ -e $p || -L $p ]]; then
      find "$p" -xdev -printf '%p %y %m %u %s %T@ %l\n' 2>/dev/null
      find "$p" -xdev -type f -readable -exec sha256sum {} + 2>/dev/null
    else
      echo "absent $p"
    fi
  done | LC_ALL=C sort
}
# snapshot NAME PATH...: records host_state of the PATHs under NAME;
# unchanged NAME: one check that they are exactly as recorded.
declare -A snapshot_paths=()
snapshot() {
  local name=$1; shift
  snapshot_paths[$name]=$(printf '%q ' "$@")
  host_state "$@" >"$work/.snapshot-$name"
}
unchanged() {
  local name=$1 diff
  eval "set -- ${snapshot_paths[$name]}"
  if diff=$(host_state "$@" | diff "$work/.snapshot-$name" - | head -20); then ok "host unchanged: $name"
  else bad "host changed: $name: $diff"; fi
}
