#!/usr/bin/env bash
# What an app can reach of the user's session services besides its own bus proxy: the
# host's bus at $XDG_RUNTIME_DIR/bus (covered), another running launch's proxy in
# $XDG_RUNTIME_DIR/appv/ (with that launch's `talk` list), the user's other services
# in $XDG_RUNTIME_DIR (systemd --user's private socket, gpg-agent, the keyring,
# podman), and, under the ptrace backend, a denied bus. A planted link where the
# proxies' directory goes is refused.
# Run alone: ctest -R 'security_(root|user)_bus_reach' --output-on-failure
source "$1/lib.sh"
command -v dbus-daemon >/dev/null && command -v xdg-dbus-proxy >/dev/null && command -v dbus-test-tool >/dev/null ||
  skip "dbus-daemon, dbus-test-tool and xdg-dbus-proxy are needed (scripts/install-deps --test)"
pack_python3 || bad "pack python3"
export XDG_RUNTIME_DIR=$work/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
dbus-daemon --session --fork --address="unix:path=$XDG_RUNTIME_DIR/bus" --print-pid=3 3>"$work/bus.pid" >/dev/null
export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
dbus-test-tool echo --name=org.example.Secret >/dev/null 2>&1 &
echo $! >"$work/svc.pid"
trap 'kill $(cat "$work/bus.pid" "$work/svc.pid" "$work"/*.lpid 2>/dev/null) 2>/dev/null' EXIT

# Inside the app: a call to org.example.Secret at each address given, one line each.
call='
import os, subprocess, sys
for address in sys.argv[1:]:
    r = subprocess.run(["dbus-send", "--print-reply", "--dest=org.example.Secret", "/", "org.example.Secret.Hello"],
                       env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address), capture_output=True, text=True)
    print("answered" if "method return" in r.stdout else "refused")'

echo "== the host's bus and another launch's proxy"
same "the host's bus is not reachable at its path" "refused" \
  "$("$A" run "$work/python3.appv" -c "$call" "unix:path=$XDG_RUNTIME_DIR/bus" 2>&1)"
sed -e 's/^id = .*/id = "org.example.Trusted"/' "$M/python3.toml" >trusted.toml
printf '\n[permissions]\ntalk = ["org.example.Secret"]\n' >>trusted.toml
packed "$work/trusted.appv" -m "$work/trusted.toml" || bad "pack the trusted package"
"$A" run "$work/trusted.appv" -c 'import time; time.sleep(30)' &
trusted=$!
for _ in $(seq 100); do ls "$XDG_RUNTIME_DIR/appv" 2>/dev/null | grep -q '^bus-' && break; sleep 0.1; done
other=$(ls "$XDG_RUNTIME_DIR/appv" | grep '^bus-' | head -1)
check "the other launch's proxy is up" test -n "$other"
same "the other launch itself may call org.example.Secret (the check can succeed)" "answered" \
  "$(DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/appv/$other python3 -c "$call" "unix:path=$XDG_RUNTIME_DIR/appv/$other")"
same "an app with the session bus denied cannot use another launch's proxy" "refused" \
  "$("$A" run --deny session-bus "$work/python3.appv" -c "$call" "unix:path=$XDG_RUNTIME_DIR/appv/$other" 2>&1)"
kill "$trusted" 2>/dev/null
wait "$trusted" 2>/dev/null

echo "== the user's other services in \$XDG_RUNTIME_DIR"
mkdir -p "$XDG_RUNTIME_DIR"/{systemd,gnupg,keyring,podman}
for s in systemd/private gnupg/S.gpg-agent keyring/control podman/podman.sock; do
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5)
while True:
    c, _ = s.accept()
    try: c.sendall(b"host service\n")
    except OSError: pass
    c.close()' "$XDG_RUNTIME_DIR/$s" &
  echo $! >"$work/$(basename "$s").lpid"
done
for _ in $(seq 100); do
  [[ -S $XDG_RUNTIME_DIR/systemd/private && -S $XDG_RUNTIME_DIR/gnupg/S.gpg-agent && -S $XDG_RUNTIME_DIR/keyring/control &&
     -S $XDG_RUNTIME_DIR/podman/podman.sock ]] && break
  sleep 0.1
done
reach='
import os, socket
for p in ("systemd/private", "gnupg/S.gpg-agent", "keyring/control", "podman/podman.sock"):
    s = socket.socket(socket.AF_UNIX)
    try: s.connect(os.environ["XDG_RUNTIME_DIR"] + "/" + p); print(p, "reached")
    except OSError: print(p, "hidden")'
same "the test's listeners answer outside appv (the check can succeed)" \
  "systemd/private reached gnupg/S.gpg-agent reached keyring/control reached podman/podman.sock reached" \
  "$(python3 -c "$reach" | tr '\n' ' ' | sed 's/ $//')"
same "an app reaches none of the user's service sockets" \
  "systemd/private hidden gnupg/S.gpg-agent hidden keyring/control hidden podman/podman.sock hidden" \
  "$("$A" run "$work/python3.appv" -c "$reach" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
kill $(cat "$work"/*.lpid) 2>/dev/null

echo "== the ptrace backend"
out=$("$A" run --backend ptrace --deny session-bus "$work/python3.appv" -c "$call" "unix:path=$XDG_RUNTIME_DIR/bus" 2>&1)
check "a denied session bus is not the host's bus under ptrace (refused launch, or no bus): $out" \
  test "$out" != answered

echo "== the proxies' directory"
mv "$XDG_RUNTIME_DIR/appv" "$work/appv-dir"
mkdir -m 0700 "$work/elsewhere"
ln -s "$work/elsewhere" "$XDG_RUNTIME_DIR/appv"
status "a link planted where the proxies go is refused" 77 "$A" run "$work/python3.appv" -c 'pass'
same "nothing was put where it leads" "" "$(ls -A "$work/elsewhere")"
rm "$XDG_RUNTIME_DIR/appv"
finish
