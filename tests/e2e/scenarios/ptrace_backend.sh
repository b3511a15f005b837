#!/usr/bin/env bash
# The namespace-free backend (--backend ptrace): real programs in the default view and
# with /usr, /etc and /lib* full, through appv run and the self-executing stub; the
# packaged loader and libc used, /proc/self/exe and argv[0] right; writecopy writes
# land in the sandbox and are seen by the next run while the host stays as it was;
# deletions hidden in listings too; exit statuses and signal deaths passed through.
# Run alone: ctest -R e2e_user_ptrace_backend (and e2e_root_ptrace_backend, as root).
source "$1/lib.sh"
pack_jq && pack_sqlite3 && pack_file && pack_python3 || bad "pack the packages this scenario runs"
P=(--backend ptrace)

echo "== the plan names the backend"
check "--dry-run prints the ptrace backend" grep -q '^backend: ptrace (no namespaces' <<<"$("$A" run "${P[@]}" --dry-run jq.appv)"
check "--dry-run --json too" grep -q '"name": *"ptrace"' <<<"$("$A" run "${P[@]}" --dry-run --json jq.appv)"
status "an unknown backend is bad usage" 64 "$A" run --backend nope jq.appv

echo "== real programs with /usr, /etc and /lib* hidden"
same "jq filter" "6" "$(echo '{"a":[1,2,3]}' | "$A" run "${P[@]}" "${FULL[@]}" jq.appv -c '.a|add')"
rm -f db.sqlite
same "sqlite3 on a new database in the (merged) working directory" "42" \
  "$("$A" run "${P[@]}" "${FULL[@]}" sqlite3.appv "$work/db.sqlite" 'create table t(x); insert into t values (41); select x + 1 from t;')"
check "the database reached the working directory" test -s db.sqlite
make_png
check "file names a PNG with its packaged magic database" grep -q '^PNG image data, 1 x 1' \
  <<<"$("$A" run "${P[@]}" "${FULL[@]}" file.appv -b "$work/x.png")"
same "python with its standard library" '{"third": "0.3333", "sqlite": true}' \
  "$("$A" run "${P[@]}" "${FULL[@]}" python3.appv -c '
import json, sqlite3, decimal
decimal.getcontext().prec = 4
db = sqlite3.connect(":memory:")
print(json.dumps({"third": str(decimal.Decimal(1) / 3), "sqlite": db.execute("select 1").fetchone() == (1,)}))')"
cache=$HOME/.cache/appv
same "the packaged libc is the one mapped, and /proc/self/exe and argv[0] are the program's" \
  "True /usr/bin/python3.11 -c" \
  "$("$A" run "${P[@]}" "${FULL[@]}" python3.appv -c "
import os, sys
libc = [l.split()[-1] for l in open('/proc/self/maps') if '/libc.so' in l]
print(all(p.startswith('$cache/') for p in libc) and len(libc) > 0, os.readlink('/proc/self/exe'), sys.argv[0])")"
same "a child process and its exit status" "child 3" \
  "$("$A" run "${P[@]}" python3.appv -c 'import subprocess, sys; r = subprocess.run([sys.executable, "-c", "print(\"child\"); raise SystemExit(3)"]); print(r.returncode)' | tr '\n' ' ' | sed 's/ $//')"
same "threads see the view" "3" \
  "$("$A" run "${P[@]}" python3.appv -c '
import threading, json
out = []
ts = [threading.Thread(target=lambda: out.append(json.loads("1"))) for _ in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sum(out))')"
same "getcwd answers with the view's path" "/usr/lib/python3.11" \
  "$("$A" run "${P[@]}" "${FULL[@]}" python3.appv -c 'import os; os.chdir("/usr/lib/python3.11"); print(os.getcwd())')"

echo "== exit statuses and signals pass through"
status "jq's own exit status" 1 bash -c "echo null | '$A' run ${P[*]} jq.appv -e ."
status "jq's error status" 5 bash -c "'$A' run ${P[*]} jq.appv -n 'error(\"x\")'"
status "a signal's death as 128+N" 143 "$A" run "${P[@]}" python3.appv -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'
"$A" run "${P[@]}" python3.appv -c 'import time; time.sleep(30)' &
runner=$!
sleep 2
kill -TERM "$runner"
wait "$runner"
same "SIGTERM sent to appv reaches the app, whose death is appv's" 143 $?

echo "== writecopy: the sandbox changes, the host does not"
snapshot system /etc/issue /etc/issue.net /usr/share/doc/jq /usr/lib/python3.11/json
probe='import os
for p in ("/etc/appv-ptrace-probe", "/usr/appv-ptrace-probe"):
    if os.path.exists(p):
        print(open(p).read(), end=" ")
    else:
        open(p, "w").write(p)
print()'
"$A" run "${P[@]}" python3.appv -c "$probe" >/dev/null
check "a write into /etc did not reach the host" test ! -e /etc/appv-ptrace-probe
check "a write into /usr did not reach the host" test ! -e /usr/appv-ptrace-probe
same "the next run finds its own writes again" "/etc/appv-ptrace-probe /usr/appv-ptrace-probe" \
  "$("$A" run "${P[@]}" python3.appv -c "$probe" | sed 's/ $//')"
check "the write is in the sandbox's upper directory, as under ns" \
  test -f "$HOME/.local/share/appv/sandboxes/org.python.python3/upper/etc/appv-ptrace-probe"
check "appv sandbox diff lists it" grep -q '/etc/appv-ptrace-probe' <<<"$("$A" sandbox diff org.python.python3)"
"$A" run "${P[@]}" python3.appv -c 'open("/usr/lib/python3.11/json/__init__.py", "a").write("\nAPPV_CHANGED = 1\n")'
same "a changed packaged file is the app's own copy" "1" "$("$A" run "${P[@]}" python3.appv -c 'import json; print(json.APPV_CHANGED)')"
"$A" run "${P[@]}" python3.appv -c 'import os; os.remove("/usr/lib/python3.11/json/tool.py")'
same "a deleted file is gone from the view, listings included" "False False" \
  "$("$A" run "${P[@]}" python3.appv -c 'import os; print(os.path.exists("/usr/lib/python3.11/json/tool.py"), "tool.py" in os.listdir("/usr/lib/python3.11/json"))')"
if [[ $(id -u) -eq 0 ]]; then
  "$A" run "${P[@]}" python3.appv -c 'open("/etc/issue", "a").write("changed\n")'
  check "the app sees its change to a host file" grep -q changed <<<"$("$A" run "${P[@]}" python3.appv -c 'print(open("/etc/issue").read())')"
  "$A" run "${P[@]}" python3.appv -c 'import os; os.remove("/etc/issue.net")'
  same "a deleted host file is hidden from the app only" "False False" \
    "$("$A" run "${P[@]}" python3.appv -c 'import os; print(os.path.exists("/etc/issue.net"), "issue.net" in os.listdir("/etc"))')"
  check "the host keeps it" test -f /etc/issue.net
  same "a change through a descriptor of a host file is refused, not made on the host" "EROFS" \
    "$("$A" run "${P[@]}" python3.appv -c '
import errno, os
fd = os.open("/usr/share/doc/jq/copyright", os.O_RDONLY)
try:
    os.fchmod(fd, 0o600)
    print("changed")
except OSError as e:
    print(errno.errorcode[e.errno])')"
fi
unchanged system

echo "== the self-executing stub"
"$A" pack -q /usr/bin/jq -o jqx.appv
same "a self-executing package runs under the ptrace backend" "3" "$(echo '[1,2]' | ./jqx.appv --appv-backend ptrace -c add)"
status "its exit status passes through" 1 bash -c "echo null | ./jqx.appv --appv-backend ptrace -e ."
check "its dry run names the backend" grep -q '^backend: ptrace' <<<"$(./jqx.appv --appv-backend ptrace --appv-dry-run)"

finish
