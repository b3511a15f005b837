#!/usr/bin/env bash
# The environment and XDG redirection of a manifest's [env], a host socket passed
# through into a full prefix, and the places users keep their homes: a HOME moved to
# another disk and reached through a link, XDG directories that are links or on a
# tmpfs, a HOME with a space and non-ASCII letters, and HOME=/.
# Run alone: ctest -R e2e_user_environment (and e2e_root_environment, as root).
source "$1/lib.sh"
pack_python3 || bad "pack python3"
appv_has_run

echo "== XDG directories and the environment"
cat > envprobe.toml <<TOML
id = "org.appv.envprobe"
version = "1"
[entry.python3]
path = "/usr/bin/python3"
[env]
clean = true
set = { APP_CONF = "\${XDG_CONFIG_HOME}/envprobe/settings.ini", PRICE = "\$\$5" }
prepend = { PATH = "\${APPV_ROOT}/opt/envprobe/bin" }
TOML
check "pack the environment probe" "$A" pack -q -m envprobe.toml -o envprobe.appv
config_before=$(find "$HOME" -path "$HOME/.local/share/appv" -prune -o -path "$HOME/.cache/appv" -prune -o -print | sort)
env_out=$(SECRET_TOKEN=leak "$A" run envprobe.appv -c '
import os
e = os.environ
print(e["APP_CONF"]); print(e["PRICE"]); print(e["PATH"].split(":")[0]); print(e.get("SECRET_TOKEN", "-"))
print(e["APPV_APP_ID"]); print(e["GSETTINGS_BACKEND"]); print(os.path.isdir(e["APPV_ROOT"] + "/usr/bin"))
os.makedirs(os.path.dirname(e["APP_CONF"]), exist_ok=True)
open(e["APP_CONF"], "w").write("[main]\nsaved = yes\n")')
root_line=$(sed -n 3p <<<"$env_out")
same "env: tokens expand, \$\$ is a dollar, clean drops the host's secrets, appv's own are set" \
  "$HOME/.config/envprobe/settings.ini|\$5|-|org.appv.envprobe|keyfile|True" \
  "$(sed -n '1p;2p;4p;5p;6p;7p' <<<"$env_out" | tr '\n' '|' | sed 's/|$//')"
check "env: \${APPV_ROOT} is the package's tree" grep -q "^$HOME/.cache/appv/[0-9a-f]*/root/opt/envprobe/bin$" <<<"$root_line"
same "XDG: the config write did not reach the host's home" "$config_before" \
  "$(find "$HOME" -path "$HOME/.local/share/appv" -prune -o -path "$HOME/.cache/appv" -prune -o -print | sort)"
same "XDG: the app reads its config back next run" "yes" \
  "$("$A" run envprobe.appv -c 'import configparser, os; c = configparser.ConfigParser(); c.read(os.environ["APP_CONF"]); print(c["main"]["saved"])')"
check "XDG: sandbox diff shows the config file" grep -qx "A $HOME/.config/envprobe/settings.ini" <<<"$("$A" sandbox diff org.appv.envprobe)"
check "XDG: the sandboxes are hidden from the app" test -z "$("$A" run envprobe.appv -c "import os; print(' '.join(os.listdir('$HOME/.local/share/appv/sandboxes')))")"

echo "== where users keep their homes"
# Homes moved to another disk: /home/u -> /data/home/u, here $work/home-u -> $disk.
disk=$work/disk/home/u
mkdir -p "$disk/Documents" && ln -s "$disk" "$work/home-u"
probe='import os; h = os.environ["HOME"]; open(h + "/.probe", "w").write("x"); open(h + "/Documents/saved.txt", "w").write("kept"); print(h)'
for backend in ns ptrace; do
  same "HOME through a link ($backend): the app runs and sees HOME as the user wrote it" "$work/home-u" \
    "$(HOME=$work/home-u "$A" run --backend $backend python3.appv -c "$probe" 2>&1)"
  check "...its dotfile stays in its sandbox" test ! -e "$disk/.probe"
  check "...its document reaches the home" test -f "$disk/Documents/saved.txt"
  rm -f "$disk/Documents/saved.txt"
done
check "...sandbox diff names the dotfile by its real path" \
  grep -qx "A $disk/.probe" <<<"$(HOME=$work/home-u "$A" sandbox diff org.python.python3)"
for backend in ns ptrace; do
  same "...the $backend dry run's JSON names no path through the link but HOME" "HOME=$work/home-u" \
    "$(HOME=$work/home-u "$A" run --backend $backend --dry-run --json python3.appv | jq -r '.. | strings | select(contains("/home-u"))' | sort -u)"
  same "...nor its text" "" "$(HOME=$work/home-u "$A" run --backend $backend --dry-run python3.appv | grep /home-u)"
done
mkdir -p "$work/elsewhere/cache" "$work/elsewhere/data"
ln -s "$work/elsewhere/cache" "$disk/cache-link" && ln -s "$work/elsewhere/data" "$disk/data-link"
same "XDG_CACHE_HOME and XDG_DATA_HOME links" "ok" \
  "$(HOME=$disk XDG_CACHE_HOME=$disk/cache-link XDG_DATA_HOME=$disk/data-link "$A" run python3.appv -c 'print("ok")' 2>&1)"
check "...the cache and the sandbox are where the links lead" \
  test -d "$work/elsewhere/cache/appv" -a -d "$work/elsewhere/data/appv/sandboxes/org.python.python3"
odd="$disk/作業 フォルダ"
mkdir -p "$odd"
same "a HOME with a space and non-ASCII letters, through a link" "$work/home-u/作業 フォルダ" \
  "$(HOME="$work/home-u/作業 フォルダ" XDG_CACHE_HOME=$disk/.cache "$A" run python3.appv -c 'import os; h = os.environ["HOME"]; open(h + "/.probe", "w").write("x"); print(h)' 2>&1)"
check "...its dotfile stays in its sandbox" test ! -e "$odd/.probe"
pack_jq || bad "pack jq"
# A cache on a tmpfs, as users mount one on ~/.cache.
shm=$(mktemp -d /dev/shm/appv-e2e-XXXXXX)
same "XDG_CACHE_HOME on a tmpfs" "$(/usr/bin/jq --version)" "$(XDG_CACHE_HOME=$shm "$A" run jq.appv --version 2>&1)"
XDG_CACHE_HOME=$shm "$A" cache prune -q --all
rm -rf "$shm"
as_user=()
[[ $(id -u) -eq 0 ]] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
same "HOME=/ for a user: the directory it cannot create, with one slash" \
  "appv: cannot create directory '/.cache': Permission denied" "$("${as_user[@]}" env HOME=/ "$A" run jq.appv --version 2>&1)"

echo "== passthrough: a host socket inside a full prefix"
mkdir -p "$work/sockdir"
/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
print("ready", flush=True); os.close(1)
c, _ = s.accept(); c.sendall(b"pong from the host\n"); c.close()' "$work/sockdir/s" | head -1 >/dev/null &
for _ in $(seq 50); do [[ -S $work/sockdir/s ]] && break; sleep 0.1; done
same "the app reaches the passed-through socket; the rest of the directory stays hidden" "pong from the host|['s']" \
  "$("$A" run --isolate "$work/sockdir=full" --isolate "$work/sockdir/s=host" python3.appv -c "
import os, socket
c = socket.socket(socket.AF_UNIX); c.connect('$work/sockdir/s')
print(c.recv(100).decode().strip() + '|' + str(sorted(os.listdir('$work/sockdir'))))")"
wait

finish
