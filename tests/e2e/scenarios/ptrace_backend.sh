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
# Which file is mapped is told by its inode: /proc/self/maps names it by its view path
# (as under ns), not by its place in the cache.
packaged_inodes() { stat -c %i "$cache"/*/root/usr/lib/x86_64-linux-gnu/"$1" | sort -u | paste -sd,; }
libc_inodes=$(packaged_inodes libc.so.6)
ld_inodes=$(packaged_inodes ld-linux-x86-64.so.2)
check "the host's libc is not the packaged one" bash -c "! grep -qw $(stat -L -c %i /usr/lib/x86_64-linux-gnu/libc.so.6) <<<'${libc_inodes//,/ }'"
same "the packaged libc is the one mapped, at its view path, and /proc/self/exe and argv[0] are the program's" \
  "True True False /usr/bin/python3.11 -c" \
  "$("$A" run "${P[@]}" "${FULL[@]}" python3.appv -c "
import os, sys
libc = [l.split() for l in open('/proc/self/maps') if '/libc.so' in l]
print(len(libc) > 0 and all(f[4] in '$libc_inodes'.split(',') for f in libc),
      all(f[5] == '/usr/lib/x86_64-linux-gnu/libc.so.6' for f in libc),
      any('$cache' in l for l in open('/proc/self/smaps')), os.readlink('/proc/self/exe'), sys.argv[0])")"
same "/proc/./self/maps, /proc/self/../PID/./maps, opened with O_CREAT too, name view paths; the supervisor's map is refused" \
  "True True True EACCES" "$("$A" run "${P[@]}" python3.appv -c "
import errno, os
def libc(path, flags=os.O_RDONLY):
    fd = os.open(path, flags)
    text = os.read(fd, 1 << 22).decode(); os.close(fd)
    return [l.split()[5] for l in text.splitlines() if '/libc.so' in l] == ['/usr/lib/x86_64-linux-gnu/libc.so.6'] * len(
        [l for l in text.splitlines() if '/libc.so' in l]) and '/libc.so' in text
pid = os.getpid()
try:
    open('/proc/%d/maps' % os.getppid()).read(); own = 'read'
except OSError as e:
    own = errno.errorcode[e.errno]
print(libc('/proc/./self/maps'), libc('/proc/self/../%d/./maps' % pid), libc('/proc/self/maps', os.O_RDONLY | os.O_CREAT), own)")"
status "the map listing is read-only, as the kernel's" 0 "$A" run "${P[@]}" python3.appv -c "
import os
try:
    os.write(os.open('/proc/self/maps', os.O_RDONLY), b'x'); raise SystemExit(1)
except OSError as e:
    raise SystemExit(0 if e.errno == 9 else 2)"
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
# The app starts with the caller's blocked and ignored signals, as after fork and exec
# (the process appv starts blocks every signal until its exec; the tracer gives it back
# the caller's mask there): SIGUSR1 and SIGWINCH blocked, SIGUSR2 ignored by the caller.
same "the app's blocked and ignored signals are its caller's" "True True" "$(python3 -c '
import os, signal, subprocess, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGWINCH})
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
def masks(argv):
    text = subprocess.run(argv + ["-c", "print(open(\"/proc/self/status\").read())"], capture_output=True, text=True).stdout
    return {k: v.strip() for k, v in (l.split(":", 1) for l in text.splitlines() if l.startswith(("SigBlk", "SigIgn")))}
native, app = masks([sys.executable]), masks(sys.argv[1:])
print(native["SigBlk"] == app["SigBlk"] != "0" * 16, native["SigIgn"] == app["SigIgn"])
' "$A" run "${P[@]}" python3.appv)"
# A signal that reaches the app before its first stop for the supervisor (a terminal
# resized during the launch: SIGWINCH to the job) is delivered, not mistaken for that
# stop: every launch ends with the app's status.
hung=0
for i in 1 2 3 4 5 6 7 8; do
  setsid "$A" run "${P[@]}" jq.appv -n 'halt_error(42)' 2>/dev/null &
  launched=$!
  for k in $(seq 1 200); do kill -WINCH -"$launched" 2>/dev/null || break; done
  for k in $(seq 1 100); do kill -0 "$launched" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$launched" 2>/dev/null; then hung=$((hung + 1)); kill -KILL "$launched"; fi
  wait "$launched" 2>/dev/null
done
same "launches under a storm of SIGWINCH all end" 0 "$hung"
# kill -STOP then -CONT to the job while it starts: a stop reaching the app's process
# before its own (the one it makes for the supervisor) stops it as without a tracer,
# and a SIGCONT sent while the tracer held a stop is not lost behind it.
hung=0
for i in $(seq 1 20); do
  setsid "$A" run "${P[@]}" jq.appv -n 'halt_error(42)' 2>/dev/null &
  launched=$!
  sleep "0.00$((i % 6))"
  kill -STOP -- -"$launched" 2>/dev/null
  kill -CONT -- -"$launched" 2>/dev/null
  for k in $(seq 1 100); do kill -0 "$launched" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$launched" 2>/dev/null; then hung=$((hung + 1)); kill -KILL -- -"$launched"; fi
  wait "$launched" 2>/dev/null
done
same "launches stopped and continued as a job all end" 0 "$hung"
# A caller that ignores SIGCHLD (trap '' CHLD): the supervisor takes it back for itself
# (the kernel reports no tracee's stop while it is ignored), the app ignores it still.
same "a caller ignoring SIGCHLD: the app runs, and ignores SIGCHLD too" "True 7" "$(timeout -s KILL 60 bash -c "
  trap '' CHLD
  '$A' run ${P[*]} python3.appv -c 'import signal, sys; print(signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN, end=\" \"); sys.exit(7)'
  echo \$?")"
# A stopping signal stops as without a tracer: the process stays stopped until SIGCONT
# (the supervisor holds the group-stop, PTRACE_LISTEN), and its parent is told both.
# The child is put in a process group of its own, as a shell puts a job: the kernel
# discards SIGTSTP in an orphaned process group (CI's may be one), SIGSTOP never.
same "a child stopped by SIGSTOP or SIGTSTP stays stopped until SIGCONT, its parent told of both" \
  "SIGSTOP: True True True; SIGTSTP: True True True" "$("$A" run "${P[@]}" python3.appv -c '
import os, signal, time
def trial(sig):
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        time.sleep(20)
        os._exit(0)
    os.setpgid(pid, pid)
    os.kill(pid, sig)
    _, st = os.waitpid(pid, os.WUNTRACED)
    if not os.WIFSTOPPED(st):
        return f"ended before its check (wait status {st:#x})"
    told = os.WSTOPSIG(st) == sig
    time.sleep(0.5)
    held = open(f"/proc/{pid}/stat").read().split()[2] in ("T", "t")
    os.kill(pid, signal.SIGCONT)
    _, st = os.waitpid(pid, os.WCONTINUED)
    resumed = os.WIFCONTINUED(st)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return f"{told} {held} {resumed}"
print("; ".join(f"{signal.Signals(s).name}: {trial(s)}" for s in (signal.SIGSTOP, signal.SIGTSTP)))')"
# The app itself stopped from outside (kill -STOP, as a job control or a monitor does):
# it makes no progress until continued, and then ends as it would have.
rm -f ticks
"$A" run "${P[@]}" python3.appv -c '
import time
for i in range(40):
    with open("ticks", "a") as f: f.write("t\n")
    time.sleep(0.05)' &
runner=$!
sleep 1
app_pid=$(pgrep -P "$runner" | head -1)
kill -STOP "$app_pid"
sleep 0.3
before=$(wc -l <ticks)
sleep 1
same "the app stopped with kill -STOP makes no progress" "$before" "$(wc -l <ticks)"
kill -CONT "$app_pid"
wait "$runner"
same "continued, it ends as it would have (exit 0, every tick written)" "0 40" "$? $(wc -l <ticks)"
# Signals to appv while it answers opens (a job stopped and continued, a signal it
# forwards): every open still returns the app its own file. With the descriptor added
# and the answer sent in one step (SECCOMP_ADDFD_FLAG_SEND), an interrupted supervisor
# left the call answered without it: open() returned 0 (hundreds of times here).
"$A" run "${P[@]}" python3.appv -c '
import os
bad = 0
for i in range(150000):
    fd = os.open("/usr/lib/python3.11/os.py", os.O_RDONLY)
    if fd < 3:
        bad += 1
    else:
        os.close(fd)
print("opens returning 0-2:", bad)' >opens.out &
runner=$!
sleep 0.5
python3 -c '
import os, signal, sys, time
pid, end = int(sys.argv[1]), time.monotonic() + 3
try:
    while time.monotonic() < end:
        os.kill(pid, signal.SIGSTOP)
        os.kill(pid, signal.SIGCONT)
    os.kill(pid, signal.SIGCONT)
except ProcessLookupError:
    pass' "$runner"
wait "$runner"
same "SIGSTOP and SIGCONT storming appv while the app opens files: every open gets its file" \
  "0 opens returning 0-2: 0" "$? $(cat opens.out)"

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

echo "== the calls the supervisor makes itself (user notifications), and the ptrace-only way"
# Opens, stats, access and readlink reach the supervisor as seccomp user notifications
# (Linux >= 5.14): it opens the file and installs the descriptor in the app. Each check
# names what that path must get right; the same run under APPV_PTRACE_ONLY=1 takes
# the ptrace stops alone (kernels before 5.14).
relative='import os
fd = os.open("/usr/lib/python3.11", os.O_RDONLY | os.O_DIRECTORY)
print(os.path.isdir(os.path.join("/proc/self/fd", str(fd), "json")), os.stat("json", dir_fd=fd).st_mode & 0o170000 == 0o040000,
      "APPV_CHANGED" in open("json/__init__.py", opener=lambda p, f: os.open(p, f, dir_fd=fd)).read())'
same "names relative to a directory descriptor are the view's (the sandbox's copy)" "True True True" \
  "$("$A" run "${P[@]}" python3.appv -c "$relative")"
same "and so without user notifications" "True True True" \
  "$(env APPV_PTRACE_ONLY=1 "$A" run "${P[@]}" python3.appv -c "$relative")"
same "/proc/self through a relative path is the app's own" "True" \
  "$("$A" run "${P[@]}" python3.appv -c '
import os
os.chdir("/usr")
print(f"Pid:\t{os.getpid()}\n" in open("../proc/self/status").read())')"
umask_probe='import os
os.umask(0o077)
open("/etc/appv-umask-probe", "w").close()
print(oct(os.stat("/etc/appv-umask-probe").st_mode & 0o777))
os.remove("/etc/appv-umask-probe")'
same "a file created in the sandbox gets the app's umask" "0o600" "$("$A" run "${P[@]}" python3.appv -c "$umask_probe")"
same "and so without user notifications" "0o600" "$(env APPV_PTRACE_ONLY=1 "$A" run "${P[@]}" python3.appv -c "$umask_probe")"
same "a FIFO in the sandbox: both ends open (each waits for the other) and carry data" "through the fifo" \
  "$(timeout 30 "$A" run "${P[@]}" python3.appv -c '
import os, threading
os.mkfifo("/etc/appv-fifo-probe")
def write():
    with open("/etc/appv-fifo-probe", "w") as w:
        w.write("through the fifo")
t = threading.Thread(target=write)
t.start()
with open("/etc/appv-fifo-probe") as r:
    print(r.read())
t.join()
os.remove("/etc/appv-fifo-probe")')"
same "O_CLOEXEC travels with the descriptor" "True False" \
  "$("$A" run "${P[@]}" python3.appv -c '
import os
a = os.open("/usr/lib/python3.11/os.py", os.O_RDONLY | os.O_CLOEXEC)
b = os.open("/usr/lib/python3.11/os.py", os.O_RDONLY)
os.set_inheritable(b, True)
print(not os.get_inheritable(a), not os.get_inheritable(b))')"
same "access(2) answers for the app, readlink(2) reads the view's links" "False True /usr/bin/python3.11" \
  "$("$A" run "${P[@]}" python3.appv -c '
import os
print(os.access("/usr/lib/python3.11/appv-none", os.R_OK), os.access("/usr/lib/python3.11/os.py", os.R_OK), os.readlink("/proc/self/exe"))')"
if [[ $(id -u) -eq 0 ]]; then
  # root's app runs without capabilities: a file of another user's that only its
  # owner may read stays closed to it, although the supervisor (root, with them)
  # opens it on the app's behalf (named relatively: an absolute host path of the
  # host's own runs in the kernel as the app made it).
  secret=/var/lib/appv-ptrace-secret
  echo secret > "$secret" && chown nobody: "$secret" && chmod 0600 "$secret"
  same "root's app gets no capability through the supervisor's opens, stats and access" "EACCES False" \
    "$("$A" run "${P[@]}" python3.appv -c '
import errno, os
os.chdir("/var/lib")
try:
    open("appv-ptrace-secret").read()
    print("read", end=" ")
except OSError as e:
    print(errno.errorcode[e.errno], end=" ")
print(os.access("appv-ptrace-secret", os.R_OK))')"
  rm -f "$secret"
fi

echo "== execveat runs in the view as execve does"
# A script only the sandbox holds, its interpreter the packaged python: run through
# execveat by a directory descriptor and a name, and by its own descriptor
# (fexecve: AT_EMPTY_PATH). The kernel alone would find no such file on the host, or
# run it with the host's loader and the descriptor's /dev/fd name as the script's.
"$A" run "${P[@]}" python3.appv -c "
import os
os.makedirs('/usr/local/bin', exist_ok=True)
open('/usr/local/bin/appv-execveat', 'w').write('''#!/usr/bin/python3.11
import sys
ld = [l.split()[4] for l in open('/proc/self/maps') if 'ld-linux' in l]
print(sys.argv[0], sys.argv[1], len(ld) > 0 and all(i in '$ld_inodes'.split(',') for i in ld))
''')
os.chmod('/usr/local/bin/appv-execveat', 0o755)"
check "the script is the sandbox's, not the host's" test ! -e /usr/local/bin/appv-execveat
execveat='import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True); L = ctypes.c_long
def strings(items):
    a = (ctypes.c_char_p * (len(items) + 1))(*[s.encode() for s in items]); a[len(items)] = None; return a
env = strings(["%s=%s" % kv for kv in os.environ.items()])
how = sys.argv[1]
if how == "fd":
    os.execve(os.open("/usr/local/bin/appv-execveat", os.O_RDONLY), ["appv-execveat", "fd"], dict(os.environ))
if how == "nofollow":
    r = libc.syscall(L(322), L(-100), b"/usr/bin/python3", strings(["python3", "-c", "print(1)"]), env, L(0x100))
    print("ELOOP" if r < 0 and ctypes.get_errno() == 40 else "ran"); sys.exit(0)
dirfd = os.open("/usr/local/bin", os.O_RDONLY | os.O_DIRECTORY)
libc.syscall(L(322), L(dirfd), b"appv-execveat", strings(["appv-execveat", "dirfd"]), env, L(0))
print("execveat failed", ctypes.get_errno())'
for way in "" 1; do
  label=${way:+" (ptrace stops alone)"}
  same "execveat(dirfd, name) runs the view's script with the packaged loader$label" "/usr/local/bin/appv-execveat dirfd True" \
    "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" python3.appv -c "$execveat" dirfd 2>&1)"
  same "fexecve (execveat AT_EMPTY_PATH) likewise$label" "/usr/local/bin/appv-execveat fd True" \
    "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" python3.appv -c "$execveat" fd 2>&1)"
  same "execveat AT_SYMLINK_NOFOLLOW of a link in the view is refused$label" "ELOOP" \
    "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" python3.appv -c "$execveat" nofollow 2>&1)"
done

echo "== unix socket paths are the view's"
# bind in a writecopy tree makes the socket in the sandbox; connect and sendto find it
# by its view path. The second one's host path is longer than a sockaddr_un holds.
sockets='import os, socket, stat
def pair(path, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind); s.bind(path)
    c = socket.socket(socket.AF_UNIX, kind)
    if kind == socket.SOCK_DGRAM:
        c.sendto(b"dgram", path); return s.recv(16).decode()
    s.listen(1); c.connect(path); a, _ = s.accept(); c.sendall(b"stream"); return a.recv(16).decode()
deep = "/etc/" + "d" * 90
os.mkdir(deep)
abstract = socket.socket(socket.AF_UNIX); abstract.bind("\0appv-abstract-%d" % os.getpid())
print(pair("/etc/appv-sock"), stat.S_ISSOCK(os.stat("/etc/appv-sock").st_mode), pair(deep + "/s"),
      pair("/etc/appv-dgram", socket.SOCK_DGRAM), abstract.getsockname() == b"\0appv-abstract-%d" % os.getpid())
for p in ("/etc/appv-sock", deep + "/s", "/etc/appv-dgram"): os.unlink(p)
os.rmdir(deep)'
upper=$HOME/.local/share/appv/sandboxes/org.python.python3/upper
for way in "" 1; do
  label=${way:+" (ptrace stops alone)"}
  same "bind, connect and sendto name sockets in the view, long host paths included, abstract ones untouched$label" \
    "stream True stream dgram True" "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" python3.appv -c "$sockets" 2>&1)"
done
names='import os, socket
deep = "/etc/" + "d" * 90
os.mkdir(deep)
s = socket.socket(socket.AF_UNIX); s.bind("/etc/appv-named"); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect("/etc/appv-named")
t = socket.socket(socket.AF_UNIX); t.bind(deep + "/s")
print(s.getsockname(), c.getpeername(), t.getsockname() == deep + "/s")
for p in ("/etc/appv-named", deep + "/s"): os.unlink(p)
os.rmdir(deep)'
for way in "" 1; do
  label=${way:+" (ptrace stops alone)"}
  same "getsockname and getpeername name the view path, not the sandbox's or the short link's$label" \
    "/etc/appv-named /etc/appv-named True" "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" python3.appv -c "$names" 2>&1)"
done
check "no socket was made on the host" test ! -e /etc/appv-sock -a ! -e /etc/appv-dgram -a ! -e /etc/appv-named
"$A" run "${P[@]}" python3.appv -c 'import socket; socket.socket(socket.AF_UNIX).bind("/etc/appv-kept-sock")'
check "a bound socket lies in the sandbox's upper directory" test -S "$upper/etc/appv-kept-sock"
check "and not on the host" test ! -e /etc/appv-kept-sock
same "a socket name too long for its host path fails with ENAMETOOLONG, not on the host" "ENAMETOOLONG" \
  "$("$A" run "${P[@]}" python3.appv -c '
import errno, socket
try: socket.socket(socket.AF_UNIX).bind("/etc/" + "n" * 100); print("bound")
except OSError as e: print(errno.errorcode[e.errno])')"
check "nor was it made on the host" test ! -e "/etc/$(printf 'n%.0s' {1..100})"

echo "== readlink of /proc links shows view paths"
links='import os, subprocess, sys
os.chdir("/usr/lib/python3.11/json")
fd = os.open("/usr/lib/python3.11/os.py", os.O_RDONLY)
w = os.open("/etc/appv-ptrace-gone", os.O_WRONLY | os.O_CREAT); os.unlink("/etc/appv-ptrace-gone")
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], cwd="/usr/lib/python3.11/email")
try:
    print(os.readlink("/proc/self/cwd"), os.readlink("/proc/self/fd/%d" % fd), os.readlink("/proc/%d/fd/%d" % (os.getpid(), fd)),
          os.readlink("/proc/%d/cwd" % child.pid), os.readlink("/proc/thread-self/fd/%d" % w), os.readlink("/proc/self/root"))
finally:
    child.kill()'
for way in "" 1; do
  label=${way:+" (ptrace stops alone)"}
  same "/proc/self/cwd, fd/N, /proc/PID/... of the app read as view paths$label" \
    "/usr/lib/python3.11/json /usr/lib/python3.11/os.py /usr/lib/python3.11/os.py /usr/lib/python3.11/email /etc/appv-ptrace-gone (deleted) /" \
    "$(env APPV_PTRACE_ONLY=$way "$A" run "${P[@]}" "${FULL[@]}" python3.appv -c "$links" 2>&1)"
done
same "realpath through /proc/self/fd names the view's file" "/usr/lib/python3.11/os.py" \
  "$("$A" run "${P[@]}" "${FULL[@]}" python3.appv -c '
import os
fd = os.open("/usr/lib/python3.11/os.py", os.O_RDONLY)
print(os.path.realpath("/proc/self/fd/%d" % fd))')"

echo "== the self-executing stub"
"$A" pack -q /usr/bin/jq -o jqx.appv
same "a self-executing package runs under the ptrace backend" "3" "$(echo '[1,2]' | ./jqx.appv --appv-backend ptrace -c add)"
status "its exit status passes through" 1 bash -c "echo null | ./jqx.appv --appv-backend ptrace -e ."
same "and without user notifications" "3" "$(echo '[1,2]' | env APPV_PTRACE_ONLY=1 ./jqx.appv --appv-backend ptrace -c add)"
check "its dry run names the backend" grep -q '^backend: ptrace' <<<"$(./jqx.appv --appv-backend ptrace --appv-dry-run)"

finish
