#!/usr/bin/env bash
# Host services through permissions: a hostile app must reach only the host services
# its permissions grant. The session bus only through xdg-dbus-proxy (the host's bus
# socket is never in the view; UpdateActivationEnvironment and names not allowed are
# refused, its own id may be owned), also when the bus has no path (an abstract
# address); the system bus only through a second proxy, to the names the package lists,
# owning none; a denied network is a namespace of its own, from
# which neither a TCP server on the host's 127.0.0.1 nor a host abstract unix socket
# is reachable; a granted one reaches both.
# Run alone: ctest -R 'security_(root|user)_host_services' --output-on-failure
source "$1/lib.sh"
command -v dbus-daemon >/dev/null && command -v xdg-dbus-proxy >/dev/null && command -v dbus-test-tool >/dev/null ||
  skip "dbus-daemon, dbus-test-tool and xdg-dbus-proxy are needed (scripts/install-deps --test)"

snapshot hosts /etc/hosts /etc/resolv.conf /etc/machine-id

# A private session bus, started by the test, at a path the app's view shows (/tmp).
export XDG_RUNTIME_DIR=$work/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
dbus-daemon --session --fork --address="unix:path=$work/bus" --print-pid=3 3>"$work/bus.pid" >/dev/null
export DBUS_SESSION_BUS_ADDRESS=unix:path=$work/bus
trap 'kill "$(cat "$work/bus.pid")" 2>/dev/null' EXIT

cat > ds.toml <<TOML
id = "org.example.DS"
version = "1"
default_entry = "dbus-send"
[entry.dbus-send]
path = "/usr/bin/dbus-send"
[entry.sh]
path = "/bin/sh"
[entry.sleep]
path = "/bin/sleep"
[files]
include = ["/usr/bin/dbus-send"]
[permissions]
talk = ["org.example.Talk"]
TOML
packed "$work/ds.appv" -m "$work/ds.toml" || bad "pack dbus-send"
pack_python3 || bad "pack python3"

bus() { "$A" run "$@" --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus "org.freedesktop.DBus.$method" "${margs[@]}" 2>&1; }
method=ListNames margs=()
# Each launch's output is taken whole before the next starts: `grep -q` on a process
# substitution returns at the first match, while the launch is still running, and the
# next launch would join its instance (and its bus proxy, which ends with that app).
out=$(bus "$work/ds.appv")
check "dbus: the bus is reachable through the proxy" grep -q 'string "org.freedesktop.DBus"' <<<"$out"
method=UpdateActivationEnvironment margs=(dict:string:string:LD_PRELOAD,/tmp/evil.so)
out=$(bus "$work/ds.appv")
check "dbus: UpdateActivationEnvironment is refused ($out)" grep -q 'AccessDenied' <<<"$out"
method=RequestName margs=(string:org.example.DS uint32:0)
out=$(bus "$work/ds.appv")
check "dbus: the app may own its own id" grep -q 'uint32 1' <<<"$out"
method=RequestName margs=(string:org.freedesktop.Notifications uint32:0)
out=$(bus "$work/ds.appv")
check "dbus: owning another name is refused ($out)" grep -q '^Error' <<<"$out"
method=ListNames margs=()
out=$(bus --deny session-bus "$work/ds.appv")
same "dbus: --deny session-bus leaves no bus ($out)" "" "$(grep -o 'string "org.freedesktop.DBus"' <<<"$out")"
# A launch that joins a running instance uses that instance's proxy, which lives as
# long as the instance: the joined app still reaches the bus after the first app ended.
"$A" run --entry sleep "$work/ds.appv" 1 &
first=$!
for _ in $(seq 100); do "$A" sandbox list 2>/dev/null | grep -q running && break; sleep 0.1; done
out=$("$A" run --entry sh "$work/ds.appv" -c 'while kill -0 2 2>/dev/null; do sleep 0.1; done
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames' 2>&1)
wait "$first"
check "dbus: a joined launch keeps the bus after the first app ended ($out)" grep -q 'string "org.freedesktop.DBus"' <<<"$out"
# The proxy is gone once the app is: nothing of it left in the runtime directory
# (it notices within moments; a loaded machine is given up to 5 s).
for _ in $(seq 50); do ls "$XDG_RUNTIME_DIR/appv" 2>/dev/null | grep -q bus- || break; sleep 0.1; done
same "dbus: the proxy's socket is removed" "" "$(ls "$XDG_RUNTIME_DIR/appv" 2>/dev/null | grep bus- || true)"
check "dbus: the proxy's directory is the user's alone" test "$(stat -c %a "$XDG_RUNTIME_DIR/appv")" = 700

# A session bus at an abstract address (no path to bind over): the proxy reaches it
# from the host's side; the app, even with its own network namespace (where the host's
# abstract sockets are out of reach), talks to the proxy's socket.
dbus-daemon --session --fork --address="unix:abstract=appv-test-$$" --print-address=4 4>"$work/abus.addr" \
  --print-pid=3 3>"$work/abus.pid" >/dev/null
abstract=$(head -1 "$work/abus.addr")
method=ListNames margs=()
out=$(DBUS_SESSION_BUS_ADDRESS=$abstract bus --deny network "$work/ds.appv")
check "dbus: an abstract session bus is reached through the proxy, network denied ($out)" \
  grep -q 'string "org.freedesktop.DBus"' <<<"$out"
method=UpdateActivationEnvironment margs=(dict:string:string:LD_PRELOAD,/tmp/evil.so)
out=$(DBUS_SESSION_BUS_ADDRESS=$abstract bus --deny network "$work/ds.appv")
check "dbus: an abstract session bus is filtered too ($out)" grep -q 'AccessDenied' <<<"$out"
same "dbus: the app is pointed at the proxy's socket, shown in its own runtime directory" "unix:path=$XDG_RUNTIME_DIR/bus" \
  "$(DBUS_SESSION_BUS_ADDRESS=$abstract "$A" run --dry-run --json "$work/ds.appv" |
     jq -r '.process.env[] | select(startswith("DBUS_SESSION_BUS_ADDRESS=")) | ltrimstr("DBUS_SESSION_BUS_ADDRESS=")' | sed 's/[0-9]*$//')"
kill "$(cat "$work/abus.pid")" 2>/dev/null

# The system bus: a private one named by DBUS_SYSTEM_BUS_ADDRESS (as libdbus reads it),
# with two services on it, echoing every call. A package that asks for the system bus
# talks to the one it lists in system-talk, nothing else, and owns no name.
dbus-daemon --session --fork --address="unix:path=$work/sysbus" --print-pid=3 3>"$work/sysbus.pid" >/dev/null
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$work/sysbus
dbus-test-tool echo --system --name=org.example.SysTalk >/dev/null 2>&1 &
echo_talk=$!
dbus-test-tool echo --system --name=org.example.SysHidden >/dev/null 2>&1 &
echo_hidden=$!
for _ in $(seq 50); do
  names=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>/dev/null)
  grep -q SysTalk <<<"$names" && grep -q SysHidden <<<"$names" && break
  sleep 0.1
done
sed 's/^\[permissions\]$/[permissions]\nsystem-bus = "filtered"\nsystem-talk = ["org.example.SysTalk"]/; s/^id = .*/id = "org.example.Sys"/' \
  ds.toml >sys.toml
packed "$work/sys.appv" -m "$work/sys.toml" || bad "pack dbus-send with the system bus"
sysbus() { "$A" run "$@" --system --print-reply --dest="$dest" "$obj" "$method" "${margs[@]}" 2>&1; }
dest=org.example.SysTalk obj=/ method=org.example.Any.Ping margs=()
check "system bus: a system-talk name answers through the proxy" grep -q '^method return' <(sysbus "$work/sys.appv")
dest=org.example.SysHidden
out=$(sysbus "$work/sys.appv")
check "system bus: a name not in system-talk does not ($out)" grep -q '^Error' <<<"$out"
dest=org.freedesktop.DBus obj=/org/freedesktop/DBus method=org.freedesktop.DBus.ListNames
out=$(sysbus "$work/sys.appv")
same "system bus: only the listed name is visible" "SysTalk" "$(grep -o 'org.example.Sys[A-Za-z]*' <<<"$out" | sed 's/org.example.//' | sort -u | tr '\n' ' ' | sed 's/ $//')"
method=org.freedesktop.DBus.RequestName margs=(string:org.example.Sys uint32:0)
out=$(sysbus "$work/sys.appv")
check "system bus: owning a name is refused, even the app's id ($out)" grep -q '^Error' <<<"$out"
dest=org.example.SysTalk obj=/ method=org.example.Any.Ping margs=()
out=$(sysbus "$work/ds.appv")
check "system bus: not asked for, not reachable ($out)" grep -q 'Failed to connect to socket' <<<"$out"
out=$(sysbus --deny system-bus "$work/sys.appv")
check "system bus: --deny system-bus takes it away ($out)" grep -q 'Failed to connect to socket' <<<"$out"
kill "$echo_talk" "$echo_hidden" 2>/dev/null
wait "$echo_talk" "$echo_hidden" 2>/dev/null

# What sits at the host bus's path in the view, as the app sees it.
probe_bus='import os, socket, stat, sys
st = os.stat(sys.argv[1])
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print("connected", stat.S_ISSOCK(st.st_mode))
except OSError as e:
    print("refused", stat.S_ISSOCK(st.st_mode))'
same "dbus: denied, the host bus socket is not in the view" "refused False" \
  "$("$A" run --deny session-bus "$work/python3.appv" -c "$probe_bus" "$work/bus" 2>&1)"
same "system bus: not asked for, the host's system bus socket is not in the view" "refused False" \
  "$("$A" run "$work/python3.appv" -c "$probe_bus" "$work/sysbus" 2>&1)"
kill "$(cat "$work/sysbus.pid")" 2>/dev/null
unset DBUS_SYSTEM_BUS_ADDRESS

# A TCP server on the host's loopback and a host abstract unix socket, each answering "hi".
port_file=$work/port
python3 - "$port_file" <<'PY' &
import os, socket, sys, threading
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(8)
a = socket.socket(socket.AF_UNIX); a.bind("\0appv-host-services-%d" % os.getpid()); a.listen(8)
open(sys.argv[1] + ".tmp", "w").write("%d %d\n" % (t.getsockname()[1], os.getpid())); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def serve(s):
    while True:
        c, _ = s.accept(); c.sendall(b"hi"); c.close()
threading.Thread(target=serve, args=(a,), daemon=True).start()
serve(t)
PY
server=$!
for _ in $(seq 50); do [[ -s $port_file ]] && break; sleep 0.1; done
read -r port spid <"$port_file"
probe_net='import socket, sys
def try_(family, addr):
    s = socket.socket(family); s.settimeout(3)
    try:
        s.connect(addr); return s.recv(2).decode()
    except OSError as e:
        return "refused"
print(try_(socket.AF_INET, ("127.0.0.1", int(sys.argv[1]))), try_(socket.AF_UNIX, "\0appv-host-services-" + sys.argv[2]))'
same "network granted: the host's 127.0.0.1 and abstract sockets are reachable" "hi hi" \
  "$("$A" run "$work/python3.appv" -c "$probe_net" "$port" "$spid" 2>&1)"
same "network denied: neither is reachable" "refused refused" \
  "$("$A" run --deny network "$work/python3.appv" -c "$probe_net" "$port" "$spid" 2>&1)"
same "network denied: the app still has a loopback of its own" "up" \
  "$("$A" run --deny network "$work/python3.appv" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); print("up")' 2>&1)"
# A second launch joins the running instance's namespaces: its network too.
"$A" run --deny network "$work/python3.appv" -c 'import time; time.sleep(20)' &
first=$!
for _ in $(seq 100); do "$A" sandbox list 2>/dev/null | grep -q running && break; sleep 0.1; done
same "network denied: a launch that joins the running instance is cut off too" "refused refused" \
  "$("$A" run --deny network "$work/python3.appv" -c "$probe_net" "$port" "$spid" 2>&1)"
kill "$first" 2>/dev/null; wait "$first" 2>/dev/null
kill "$server" 2>/dev/null
status "an unknown permission is bad usage" 64 "$A" run --deny netwrk "$work/python3.appv" -c 1

unchanged hosts
kill "$(cat "$work/bus.pid")" 2>/dev/null
finish
