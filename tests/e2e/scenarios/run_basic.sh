#!/usr/bin/env bash
# Running packages with /usr, /etc and /lib* hidden; exit statuses and signals
# pass through; writecopy keeps the host untouched.
# Run alone: ctest -R e2e_user_run_basic (and e2e_root_run_basic, as root).
source "$1/lib.sh"
pack_jq && pack_sqlite3 && pack_file && pack_python3 || bad "pack the packages this scenario runs"

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

echo "== an entry that cannot be run: its status and one line, with either backend, nothing left waiting"
# The ns backend waited for good on such a launch, holding the sandbox's lock.
# Without leak checks in a sanitizer build: LeakSanitizer cannot stop the world in a
# launch that fails after it made itself undumpable (as in the refusal scenarios).
no_leak_check=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
mkdir -p "$work/unrunnable"
echo 'not a program' > "$work/unrunnable/notes"
printf '#!/nonexistent/interpreter\n' > "$work/unrunnable/script"
chmod 644 "$work/unrunnable/notes"
chmod 755 "$work/unrunnable/script"
cat > "$work/unrunnable.toml" <<EOF
id = "unrunnable"
name = "unrunnable"
version = "1"
default_entry = "notes"
[entry.notes]
path = "$work/unrunnable/notes"
[entry.script]
path = "$work/unrunnable/script"
[files]
include = ["$work/unrunnable"]
EOF
"$A" pack -q -m "$work/unrunnable.toml" -o unrunnable.appv || bad "pack the unrunnable entries"
for backend in ns ptrace; do
  err=$("${no_leak_check[@]}" timeout -s KILL 60 "$A" run --backend "$backend" --entry notes unrunnable.appv 2>&1); rc=$?
  same "a file that is no program ($backend): 126" 126 "$rc"
  check "saying so in one line ($backend): $err" test "$(wc -l <<<"$err")" -eq 1
  err=$("${no_leak_check[@]}" timeout -s KILL 60 "$A" run --backend "$backend" --entry script unrunnable.appv 2>&1); rc=$?
  same "a script whose interpreter is missing ($backend): 127" 127 "$rc"
  check "saying so in one line ($backend): $err" test "$(wc -l <<<"$err")" -eq 1
done
same "the next launch of that app is not kept waiting" 126 \
  "$("${no_leak_check[@]}" timeout -s KILL 60 "$A" run --entry notes unrunnable.appv 2>/dev/null; echo $?)"

echo "== a launch loads only what it needs"
# The dynamic loader's own account (LD_DEBUG=files, on stderr) of every library the
# launcher maps: a launch of a local package needs neither the distribution module
# (libcurl and its TLS, LDAP and Kerberos tree) nor the pack module (LIEF).
loaded=$(LD_DEBUG=files "$A" run jq.appv --version 2>&1 >/dev/null | grep -o 'file=[^ ]*' | sort -u)
check "the loader's account names the launcher's libraries" grep -q 'file=libc\.so' <<<"$loaded"
check "a launch of a local package loads no libcurl" bash -c '! grep -q libcurl <<<"$1"' _ "$loaded"
check "a launch of a local package loads neither module" bash -c '! grep -Eq "libappv-(pack|distribution)|libLIEF" <<<"$1"' _ "$loaded"
# A registry command does load them (nothing listens on the port: it fails after loading).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
loaded=$(LD_DEBUG=files "$A" tags "127.0.0.1:$port/nothing" 2>&1 >/dev/null | grep -o 'file=[^ ]*' | sort -u)
check "appv tags loads the distribution module and libcurl" \
  bash -c 'grep -q "libappv-distribution\.so" <<<"$1" && grep -q libcurl <<<"$1"' _ "$loaded"
status "appv tags reports the unreachable registry" 69 "$A" tags "127.0.0.1:$port/nothing"

same "the sandbox is private to its user" "700" "$(stat -c %a "$HOME/.local/share/appv/sandboxes/jq")"
# Started in a directory the view hides (appv's sandboxes are hidden from every app):
# the app starts in / and is told so, under either backend.
for backend in ns ptrace; do
  out=$(cd "$HOME/.local/share/appv/sandboxes/jq" && "$A" run --backend "$backend" "$OLDPWD/python3.appv" -c 'import os; print(os.getcwd())' 2>&1)
  same "$backend: started in a hidden directory, the app runs in / and is told so" \
    "/|appv: warning: $HOME/.local/share/appv/sandboxes/jq: the working directory is not in the app's view (No such file or directory, ENOENT); it starts in /" \
    "$(sort <<<"$out" | tr '\n' '|' | sed 's/|$//')"
done

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
# /var/tmp is root's (1777): inside an unprivileged user namespace overlayfs cannot copy
# it up with its owner (EOVERFLOW) unless appv made its upper directory beforehand.
"$A" run python3.appv -c 'open("/var/tmp/appv-e2e-probe", "w").write("kept")'
check "a write into the host's world-writable /var/tmp did not reach the host" test ! -e /var/tmp/appv-e2e-probe
same "the next run finds it" "kept" "$("$A" run python3.appv -c 'print(open("/var/tmp/appv-e2e-probe").read())')"
if [[ $(id -u) -eq 0 ]]; then
  before=$(sha256sum /etc/issue)
  "$A" run python3.appv -c 'open("/etc/issue", "a").write("changed\n")'
  same "changing a host file changes only the sandbox's copy" "$before" "$(sha256sum /etc/issue)"
  check "the app sees its change" grep -q changed <<<"$("$A" run python3.appv -c 'print(open("/etc/issue").read())')"
  "$A" run python3.appv -c 'import os; os.remove("/etc/issue")'
  check "deleting a host file hides it from the app only" test -f /etc/issue
  same "the app no longer sees it" "False" "$("$A" run python3.appv -c 'import os; print(os.path.exists("/etc/issue"))')"
fi

echo "== a full rule on a file: the app's own file, never the host's (both backends)"
# ~/.hist lies in $HOME's writecopy tree, ~/Documents/notes.txt in a merged one; the
# host has both, and neither ever shows. What the app writes there is its own, found
# by the next launch; what it deletes it no longer sees, and the host keeps its files.
mkdir -p "$HOME/Documents"
printf 'host secret\n' >"$HOME/.hist"
printf 'host notes\n' >"$HOME/Documents/notes.txt"
host_files=$(sha256sum "$HOME/.hist" "$HOME/Documents/notes.txt")
own=(--isolate '~/.hist=full' --isolate '~/Documents/notes.txt=full')
show='import os
for p in ("~/.hist", "~/Documents/notes.txt"):
    p = os.path.expanduser(p)
    print(repr(open(p).read()) if os.path.isfile(p) else "absent" if not os.path.lexists(p) else "not a file", end=" ")
print()'
for backend in ns ptrace; do
  "$A" sandbox reset -q org.python.python3 2>/dev/null
  same "$backend: without the rules the app sees the host's files (merged documents, writecopy dotfiles)" \
    "'host secret\\n' 'host notes\\n' " "$("$A" run -q --backend $backend python3.appv -c "$show" 2>&1)"
  "$A" sandbox reset -q org.python.python3
  run() { "$A" run -q --backend $backend "${own[@]}" python3.appv -c "$1" 2>&1; }
  same "$backend: the host's files are hidden at the first launch" "absent '' " "$(run "$show")"
  run 'import os
open(os.path.expanduser("~/.hist"), "w").write("app history\n")
open(os.path.expanduser("~/Documents/notes.txt"), "a").write("app notes\n")'
  same "$backend: the next launch finds the app's own files" "'app history\\n' 'app notes\\n' " "$(run "$show")"
  same "$backend: the host's files are unchanged" "$host_files" "$(sha256sum "$HOME/.hist" "$HOME/Documents/notes.txt")"
  run 'import os; os.remove(os.path.expanduser("~/.hist"))'
  same "$backend: a file the app deleted stays gone for it" "absent 'app notes\\n' " "$(run "$show")"
  check "$backend: ...and the host keeps its own" grep -qx 'host secret' "$HOME/.hist"
  # What the app leaves in its sandbox from a launch where ~/Documents is writecopy: a
  # whiteout where the file was (the rule then shows an empty read-only file, never the
  # host's), and a link to another host directory in place of a directory on the
  # rule's path (refused: the bind would have followed it).
  wc=(--isolate '~/Documents=writecopy')
  mkdir -p "$HOME/Documents/sub" "$HOME/victim"
  printf 'host\n' >"$HOME/Documents/sub/f"
  printf 'victim\n' >"$HOME/victim/f"
  up=$("$A" sandbox path org.python.python3)/upper$HOME/Documents
  back=$(tr -cd / <<<"$up" | sed 's,/,../,g')${HOME#/}/victim
  "$A" run -q --backend $backend "${wc[@]}" python3.appv -c "import os, shutil
os.remove(os.path.expanduser('~/Documents/notes.txt'))
shutil.rmtree(os.path.expanduser('~/Documents/sub')); os.symlink('$back', os.path.expanduser('~/Documents/sub'))" ||
    bad "$backend: the app's writecopy launch"
  same "$backend: a whiteout the app left: an empty file it cannot write, not the host's" "'' denied" \
    "$(run 'import os
p = os.path.expanduser("~/Documents/notes.txt")
print(repr(open(p).read()), end=" ")
try: open(p, "a").write("x"); print("written")
except OSError: print("denied")')"
  status "$backend: a link the app planted on the rule's path in its sandbox is refused" 65 \
    "$A" run -q --backend $backend --isolate '~/Documents/sub/f=full' python3.appv -c \
    'import os; open(os.path.expanduser("~/Documents/sub/f"), "a").write("reached\n")'
  same "$backend: the host's files are unchanged" "$host_files" "$(sha256sum "$HOME/.hist" "$HOME/Documents/notes.txt")"
  same "$backend: the host directory the link leads to is unchanged" "victim" "$(cat "$HOME/victim/f")"
  rm -rf "$HOME/Documents/sub" "$HOME/victim"
done
rm -rf "$HOME/Documents" "$HOME/.hist"
"$A" sandbox reset -q org.python.python3

finish
