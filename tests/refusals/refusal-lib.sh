# The refusal scenarios' shared part, sourced after the end-to-end helpers
# (tests/e2e/lib.sh) by tests/refusals/NAME.sh, which run as root with the refuse
# helper and as-refused-user copied into $work. Packages are packed here, as root,
# and run as the unprivileged test user on a host refusing namespaces one way.
[[ $(id -u) -eq 0 ]] || skip "a refusing host is made as root; run the suite as root"
[[ -x $work/refuse && -x $work/as-refused-user ]] || { echo "refusals: the refuse helper is missing" >&2; exit 2; }
uhome=$work/user-home
# lacks NAME WORD TEXT: TEXT does not contain WORD.
lacks() { if grep -qF -- "$2" <<<"$3"; then bad "$1: [$3]"; else ok "$1"; fi; }
# as KIND CMD...: CMD as the test user on a host refusing by KIND, in $work.
as() {
  local kind=$1
  shift
  "$work/as-refused-user" "$kind" --home "$uhome" -- "$@"
}
# The user's HOME holds nothing of appv's: a refused launch created nothing.
nothing_created() {
  same "$1: nothing of appv's in the user's home (no cache, no sandbox)" "" "$(ls -A "$uhome")"
}
pack_jq && pack_python3 || bad "pack the packages the refusals run"
chmod 755 jq.appv python3.appv
# control: on this host, unrefused, the test user runs the package both ways, so what
# fails afterwards fails for the refusal alone.
control() {
  same "control: appv run works for the test user here" "1" "$(as none ./appv run jq.appv -n 1 2>&1)"
  same "control: the self-executing package works for the test user here" "2" "$(as none ./jq.appv -n 2 2>&1)"
  rm -rf "$uhome"
}

# refused KIND STEP ERRNO CAUSE WORDS...: under KIND, the ns backend asked for by name
# (`appv run --backend ns`, the package's --appv-backend ns) ends with Exit::Environment
# (69) and one line naming what is refused and why (WORDS: phrases it must contain),
# creating nothing; left to choose, appv runs the app with the ptrace backend, saying
# so once, through appv run and the self-executing package, in the default view and
# with /usr, /etc and /lib* full, exit status passed through. The dry runs show the
# refusal in the backend's why, and --json its fields (failed_step STEP, errno ERRNO,
# cause CAUSE).
refused() {
  local kind=$1 step=$2 errno=$3 cause=$4 err line word
  shift 4
  for how in "appv run" "self-executing"; do
    if [[ $how == "appv run" ]]; then cmd=(./appv run --backend ns jq.appv -n 1); else cmd=(./jq.appv --appv-backend ns -n 1); fi
    err=$(as "$kind" "${cmd[@]}" 2>&1 >/dev/null)
    status "$kind, $how, --backend ns: status 69 and one line" 69 as "$kind" "${cmd[@]}"
    line=$(head -1 <<<"$err")
    echo "     message: $line"
    for word in "$@" "leave out --backend ns to run with the ptrace backend"; do
      check "$kind, $how: the message says '$word'" grep -qF -- "$word" <<<"$line"
    done
    nothing_created "$kind, $how"
  done
  local text json
  text=$(as "$kind" ./appv run --backend ns --dry-run jq.appv 2>&1)
  check "$kind: the dry run of --backend ns shows the refusal as the backend's why" \
    grep -qF "backend: ns (refused on this host: $(head -1 <<<"$err" | sed 's/^appv: //')" <<<"$text"
  text=$(as "$kind" ./jq.appv --appv-dry-run 2>&1)
  check "$kind: the self-executing package's dry run: ptrace, chosen for the refusal" \
    grep -qF "backend: ptrace (no namespaces: the app's path system calls redirected into the view by a ptrace supervisor, chosen because this host refuses the ns backend: " <<<"$text"
  json=$(as "$kind" ./appv run --dry-run --json jq.appv)
  same "$kind: --json: backend.name and backend.probe" "ptrace false $step $errno $cause" \
    "$(jq -r '"\(.backend.name) \(.backend.probe | "\(.usable) \(.failed_step) \(.errno) \(.cause)")"' <<<"$json")"
  same "$kind: --json: backend.probe.message is the launch's message" "appv: $(jq -r .backend.probe.message <<<"$json")" \
    "$(head -1 <<<"$err")"
  rm -rf "$uhome"

  echo "== $kind: the ptrace backend, chosen by appv"
  local out
  out=$(as "$kind" ./appv run jq.appv -n 1 2>"$work/auto.err")
  same "$kind, appv run: the app runs" "1" "$out"
  same "$kind, appv run: and appv says once which backend, and why" 1 "$(grep -c 'running with the ptrace backend' "$work/auto.err")"
  same "$kind, self-executing: the app runs" "2" "$(as "$kind" ./jq.appv -n 2 2>/dev/null)"
  same "$kind, /usr, /etc, /lib* full: the app runs from its package alone" "3" \
    "$(as "$kind" ./appv run "${FULL[@]}" jq.appv -n 3 2>/dev/null)"
  status "$kind: the app's exit status passes through" 5 as "$kind" ./jq.appv -n '"bye" | halt_error(5)'
  rm -rf "$uhome"

  echo "== $kind: a real program and its sandbox under the chosen backend"
  snapshot "refused-$kind" /etc/issue /usr/lib/python3.11/json
  same "$kind: python with its standard library (json, sqlite3, decimal), /usr, /etc, /lib* full" \
    '{"third": "0.3333", "sqlite": true}' "$(as "$kind" ./appv run "${FULL[@]}" python3.appv -c '
import json, sqlite3, decimal
decimal.getcontext().prec = 4
db = sqlite3.connect(":memory:")
print(json.dumps({"third": str(decimal.Decimal(1) / 3), "sqlite": db.execute("select 1").fetchone() == (1,)}))' 2>/dev/null)"
  # Writes into writecopy trees (/etc, a packaged file below /usr) land in the
  # sandbox; the next run, through the other launcher, finds them; a deletion hides
  # the packaged file; the host's files stay as they were.
  local probe='import os, sys
p = "/etc/appv-refusal-probe"
if sys.argv[1] == "write":
    open(p, "w").write("kept")
    open("/usr/lib/python3.11/json/__init__.py", "a").write("\nAPPV_CHANGED = 1\n")
elif sys.argv[1] == "read":
    import json
    print(open(p).read(), json.APPV_CHANGED)
else:
    os.unlink(p)
    os.unlink("/usr/lib/python3.11/json/tool.py")
    print(os.path.exists(p), "tool.py" in os.listdir("/usr/lib/python3.11/json"))'
  as "$kind" ./appv run python3.appv -c "$probe" write >/dev/null 2>&1
  same "$kind: the self-executing package's next run finds the app's writes" "kept 1" \
    "$(as "$kind" ./python3.appv -c "$probe" read 2>/dev/null)"
  check "$kind: the write is in the user's sandbox" \
    test -f "$uhome/.local/share/appv/sandboxes/org.python.python3/upper/etc/appv-refusal-probe"
  same "$kind: deletions hide the file, also from listings" "False False" "$(as "$kind" ./appv run python3.appv -c "$probe" delete 2>/dev/null)"
  check "$kind: the host's /etc did not get the write" test ! -e /etc/appv-refusal-probe
  unchanged "refused-$kind"
  rm -rf "$uhome"
}
