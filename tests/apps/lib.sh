# Helpers of the real-application scenarios (tests/apps/NAME.sh), sourced after the
# end-to-end helpers (tests/e2e/lib.sh: check, same, finish) and the foreign hosts'
# (tests/hosts/lib.sh: on, the views, the test CA). tests/apps/run-app starts a
# scenario as root on this machine with APPV_HOST_SUITE, APPV_HOST_TOOLS and
# APPV_APPS_RESULTS set.
# A scenario packs a real application here the way a packager would ($pkgs/NAME.appv,
# timed), runs it on the foreign host as tanaka (who never ran it: an empty home, no
# profile, no cache) in the default view and the full view, checks its real output, and
# measures its start against the same command run natively here.
app=$scenario
results=${APPV_APPS_RESULTS:-}
# The hosts' mount below /usr is left out unless APPV_APPS_USR_MOUNT=1: an unprivileged
# overlay cannot take a lower with a mount below it, so today every default-view launch
# of tanaka fails on such a host (tests/hosts' mount_below_usr follows that case); here
# the applications themselves are under test.
[[ ${APPV_APPS_USR_MOUNT:-0} == 1 ]] || export APPV_TEST_HOSTS_NO_USR_MOUNT=1
# Outputs the app writes on the host (images, documents), bound at the same path.
out=$work/out
mkdir -p "$out"
chmod 1777 "$out"
# Directories of this machine the host also sees (the X server's sockets).
host_binds=()
# Set by a scenario before it runs anything: lines every script runs first, here and on
# the host (export DISPLAY=...).
app_env=""

# record KEY VALUE: one line of this app's row in scripts/test-apps' table.
record() {
  [[ -n $results ]] || return 0
  printf '%s\t%s\n' "$1" "$(printf '%s' "$2" | tr '\n\t' '  ' | cut -c1-400)" >>"$results/$app.tsv"
}
[[ -n $results ]] && rm -f "$results/$app.tsv"
record suite "$suite"
# The backend every launch on the host uses: ns (the default) or ptrace (the
# namespace-free one, as on a host that refuses user namespaces), from APPV_APPS_BACKEND.
backend=${APPV_APPS_BACKEND:-ns}
backend_opts=()
[[ $backend == ns ]] || backend_opts=(--appv-backend "$backend")
record backend "$backend"
bad() { failed=$((failed + 1)); echo "FAIL $1"; record fail "$1"; }
# needs PROGRAM...: the app must be installed here to be packed (scripts/install-deps --apps).
needs() {
  local p
  for p in "$@"; do
    if ! command -v "$p" >/dev/null; then
      record skipped "$p is not installed here (scripts/install-deps --apps)"
      skip "$p is not installed here (scripts/install-deps --apps)"
    fi
  done
}

# pack_timed HOW PKG PACK_ARGS...: appv pack PACK_ARGS -o $pkgs/PKG, timed; HOW says how
# (trace, manifest) for the table. A failed pack ends the scenario.
pack_timed() {
  local how=$1 pkg=$2 t0 t1 log rc
  shift 2
  record packed "$how"
  t0=$(date +%s%N)
  rm -f "$pkgs/$pkg"
  log=$("$A" pack -q -o "$pkgs/$pkg" "$@" 2>&1)
  rc=$?
  # With --allow-failure appv packs and still exits with the traced command's status.
  if [[ $rc -ne 0 && ! ( " $* " == *" --allow-failure "* && -s $pkgs/$pkg ) ]]; then
    bad "pack ($how): status $rc: $(tail -3 <<<"$log")"
    apps_finish
  fi
  t1=$(date +%s%N)
  chmod 755 "$pkgs/$pkg"
  record pack_ms "$(( (t1 - t0) / 1000000 ))"
  record size "$(stat -c %s "$pkgs/$pkg")"
  echo "packed $pkg ($how) in $(( (t1 - t0) / 1000000 )) ms: $(stat -c %s "$pkgs/$pkg") bytes"
  [[ -n $log ]] && printf '%s\n' "$log" | head -20
  # The launches on the host take the backend asked for (the plan says which).
  same "$suite, as tanaka: the launches use the $backend backend" "backend: $backend" \
    "$(on_host tanaka default "$pkgs/$pkg" 'app --appv-dry-run' | grep -o '^backend: [a-z]*')"
  return 0
}

# on_host WHO VIEW [--lang VALUE] PKG SCRIPT: runs the bash SCRIPT on the foreign host
# as WHO, stdout and stderr together, in which `app ARG...` runs the package PKG as a
# user types ./PKG ARG... (in VIEW: default, or full with the system trees hidden).
on_host() {
  local who=$1 view=$2 lang=() binds=() view_opts=() d
  shift 2
  [[ $1 == --lang ]] && { lang=(--lang "$2"); shift 2; }
  local pkg=$1 script=$2
  [[ $view == full ]] && view_opts=("${FULL_VIEW[@]}")
  view_opts+=(${backend_opts[@]+"${backend_opts[@]}"})
  for d in "$out" ${host_binds[@]+"${host_binds[@]}"}; do binds+=(--bind "$d"); done
  on "$who" ${lang[@]+"${lang[@]}"} "${binds[@]}" -- bash -c "$app_env
P=(\"\$@\"); set --
app() { \"\${P[@]}\" \"\$@\"; }
$script" on-host-script "$pkg" ${view_opts[@]+"${view_opts[@]}"}
}
# native SCRIPT: the same SCRIPT run on this machine, where `app` is the program itself
# ($native_app, set by the scenario), in a fresh home and directory (the app's first run).
native() {
  local home
  home=$(mktemp -d "$work/native-home.XXXXXX")
  (cd "$home" && env -i "HOME=$home" "PATH=/usr/local/bin:/usr/bin:/bin" "USER=root" "LOGNAME=root" \
    bash -c "$app_env
app() { $native_app \"\$@\"; }
$1" 2>&1)
}

# The timing of a SCRIPT, twice: "MS STATUS MS STATUS" (cold, then warm).
timing_wrapper='
t() { local s e rc; s=$(date +%s%N); run >/dev/null 2>&1; rc=$?; e=$(date +%s%N); printf "%s %s " $(( (e - s) / 1000000 )) $rc; }
run() {
'
# start_times SCRIPT: SCRIPT's wall time run twice by tanaka on the host in the default
# view (cold: the package's first launch, extraction included; warm: the second) and
# twice natively here (the first in a fresh home), recorded for the table.
start_times() {
  local script="$timing_wrapper$1
}
t; t; echo"
  local h n line
  line=$(on_host tanaka default "$pkgs/$app.appv" "$script" | tail -1)
  [[ $line =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+\ ?$ ]] || line="? ${line:-no output} ? ?"
  read -r -a h <<<"$line"
  line=$(native "$script" | tail -1)
  [[ $line =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+\ ?$ ]] || line="? ${line:-no output} ? ?"
  read -r -a n <<<"$line"
  echo "start: appv cold ${h[0]:-?} ms (status ${h[1]:-?}), warm ${h[2]:-?} ms (status ${h[3]:-?});" \
       "native first ${n[0]:-?} ms (status ${n[1]:-?}), again ${n[2]:-?} ms (status ${n[3]:-?})"
  record cold_ms "$(ms_or_status "${h[0]:-}" "${h[1]:-}")"
  record warm_ms "$(ms_or_status "${h[2]:-}" "${h[3]:-}")"
  record native_cold_ms "$(ms_or_status "${n[0]:-}" "${n[1]:-}")"
  record native_warm_ms "$(ms_or_status "${n[2]:-}" "${n[3]:-}")"
}
ms_or_status() { if [[ $2 == 0 ]]; then echo "$1"; else echo "$1 (status ${2:-?})"; fi; }

# same_png NAME EXPECTED ACTUAL: two images equal pixel for pixel (ImageMagick's
# compare -metric AE counts the pixels that differ).
same_png() {
  local ae
  if [[ ! -s $3 ]]; then bad "$1: no image written"; return; fi
  ae=$(compare -metric AE "$2" "$3" null: 2>&1)
  if [[ $ae == 0 ]]; then ok "$1"; else bad "$1: $ae pixels differ from the native rendering"; fi
}
# ink PNG [GEOMETRY]: the count of pixels not of the background (the top-left pixel's
# colour), in GEOMETRY's region if given: something was drawn if there are enough.
ink() {
  local bg region=$work/.ink-region.png
  bg=$(convert "$1" -format '%[pixel:p{0,0}]' info:) || return 1
  if [[ -n ${2:-} ]]; then convert "$1" -crop "$2" +repage "$region" || return 1; else cp "$1" "$region"; fi
  convert "$region" -fill "$bg" -colorize 100 "$work/.ink-blank.png" || return 1
  compare -metric AE "$region" "$work/.ink-blank.png" null: 2>&1
  return 0
}

# apps_finish: tests/e2e/lib.sh's finish (the home of this machine's user holds only
# appv's cache and sandboxes), with the counts also in the table.
apps_finish() {
  same "$scenario: the user's home holds only appv's cache and sandboxes" "" \
    "$(ls -A "$HOME" | grep -vxE '\.cache|\.local' | tr '\n' ' ' | sed 's/ $//')"
  record checks "$passed passed, $failed failed"
  echo "apps $scenario on $suite: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
}
