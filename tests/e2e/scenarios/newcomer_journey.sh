#!/usr/bin/env bash
# A newcomer's day with appv, from an empty home: pack a command-line program and a
# GUI program, install both, start each by its id, through its exported command and
# through its menu entry's Exec line, uninstall both with their data, prune the cache,
# and find the home as it was but for empty XDG base directories. As root the
# installs are --system (commands in /usr/local/bin, entries in /usr/local/share),
# which must be left as they were too.
# Run alone: ctest -R e2e_user_newcomer_journey (and e2e_root_newcomer_journey, as root).
source "$1/lib.sh"
echo "== newcomer journey"
command -v Xvfb >/dev/null || skip "Xvfb is not installed (apt-get install xvfb)"
system=()
bin=$HOME/.local/bin
if [[ $(id -u) -eq 0 ]]; then system=(--system); bin=/usr/local/bin; fi

# The user's directories before appv ever ran: names, types and modes.
home_state() { (cd "$HOME" && find . -printf '%y %m %p\n' | LC_ALL=C sort); }
before=$(home_state)
# The system's directories, as root: names, types, modes and contents (directories'
# times change with every file made and removed in them).
system_state() {
  find /usr/local/bin /usr/local/share /var/lib/appv -printf '%y %m %u %p %l\n' 2>/dev/null | LC_ALL=C sort
  find /usr/local/bin /usr/local/share /var/lib/appv -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort
}
[[ -n ${system[*]} ]] && system_before=$(system_state)

# A command-line tool with two entry points; the second sorts keys (jq -S).
cat > jq-tool.toml <<'TOML'
id = "org.jqlang.jq"
name = "jq"
version = "1.6"
default_entry = "jq"
[entry.jq]
path = "/usr/bin/jq"
[entry.jq-sorted]
path = "/usr/bin/jq"
args = ["-S"]
TOML
check "pack the command-line tool" "$A" pack -q -m jq-tool.toml -o "$work/jq-tool.appv"
xmessage_manifest
check "pack the GUI program" "$A" pack -q -m xmessage-gui.toml -o "$work/my apps/xmessage.appv"

# Exporting `jq` would shadow the host's /usr/bin/jq: refused, one line, 73, nothing installed.
status "a command that would shadow one on PATH is refused (73)" 73 "$A" install "${system[@]}" --commands "$work/jq-tool.appv"
err=$("$A" install "${system[@]}" --command jq "$work/jq-tool.appv" 2>&1 >/dev/null)
check "the refusal names the command in the way" grep -q "/usr/bin/jq" <<<"$err"
check "the refused install installed nothing" bash -c "! '$A' list ${system[*]} | grep -q org.jqlang.jq"
status "an unknown entry point is bad usage (64)" 64 "$A" install "${system[@]}" --command jqq "$work/jq-tool.appv"

out=$("$A" install "${system[@]}" --command jq-sorted "$work/jq-tool.appv" 2>&1)
check "install with a command" test $? -eq 0
check "install says how to start it by id" grep -q "appv run org.jqlang.jq" <<<"$out"
check "install names the exported command" grep -q "command: jq-sorted ($bin/jq-sorted)" <<<"$out"
check "install says the commands' directory is not on PATH" grep -q "$bin is not on your PATH" <<<"$out"
check "the command is a link to the installed package" test -L "$bin/jq-sorted"
# An update that fails half-way (a menu entry it would write is someone else's file)
# brings back the version it was replacing, its exported command included.
{ sed 's/^version = "1.6"/version = "1.7"/' jq-tool.toml; printf '[desktop]\nname = "jq"\n'; } > jq-tool-1.7.toml
check "pack an update with a menu entry" "$A" pack -q -m jq-tool-1.7.toml -o "$work/jq-tool-1.7.appv"
apps=$([[ -n ${system[*]} ]] && echo /usr/local/share/applications || echo "${XDG_DATA_HOME:-$HOME/.local/share}/applications")
apps_made=$([[ -d $apps ]] || echo yes)
mkdir -p "$apps" && echo "[Desktop Entry]" > "$apps/org.jqlang.jq.desktop"
status "the update that meets someone else's menu entry fails (64)" 64 "$A" install "${system[@]}" "$work/jq-tool-1.7.appv"
check "...the version it replaced is back" bash -c "'$A' list ${system[*]} | grep -q '^org.jqlang.jq *1.6'"
check "...with its command" test -L "$bin/jq-sorted"
same "...and that file is left as it was" "[Desktop Entry]" "$(cat "$apps/org.jqlang.jq.desktop")"
rm "$apps/org.jqlang.jq.desktop"; [[ -z $apps_made ]] || rmdir "$apps"
out=$("$A" install "${system[@]}" "$work/my apps/xmessage.appv" 2>&1)
check "install the GUI program" test $? -eq 0
check "install names its menu entry" grep -q "menu entry: .*/org.x.xmessage.desktop" <<<"$out"

# By id: the installed package, wherever the user's shell is.
cd /
same "start the tool by id" '{"b":1,"a":2}' "$(echo '{"b":1,"a":2}' | "$A" run org.jqlang.jq -c .)"
same "start its other entry by id and --entry" '{"a":2,"b":1}' "$(echo '{"b":1,"a":2}' | "$A" run --entry jq-sorted org.jqlang.jq -c .)"
where=$([[ -n ${system[*]} ]] && echo "installed for every user" || echo "installed for you")
check "the dry run says which installation runs" grep -q "^installed: .*org.jqlang.jq.appv ($where)" <<<"$("$A" run --dry-run org.jqlang.jq)"
same "...and its JSON too" "$([[ -n ${system[*]} ]] && echo system || echo user)" \
  "$("$A" run --dry-run --json org.jqlang.jq | jq -r .package.installed)"
same "a package file's JSON names no installation" null "$("$A" run --dry-run --json "$work/my apps/xmessage.appv" | jq -r .package.installed)"
if [[ -n ${system[*]} ]]; then
  # Another user (nobody, without a home) reads what is installed for every user, and
  # their own empty list points there.
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin)
  same "another user lists what is installed for every user (list --system --json)" "org.jqlang.jq org.x.xmessage" \
    "$("${as_nobody[@]}" "$A" list --system --json | jq -r '[.[].id | select(startswith("org.jqlang.") or startswith("org.x."))] | join(" ")')"
  everyone=$(find /var/lib/appv/installed -maxdepth 1 -name '*.record' ! -name '.*' | wc -l)
  same "...and their plain list points to them" "no apps installed for you; $everyone for every user: appv list --system" \
    "$("${as_nobody[@]}" "$A" list)"
  status "...but cannot uninstall them (64)" 64 "${as_nobody[@]}" "$A" uninstall --system org.jqlang.jq
fi
err=$("$A" run org.jqlang.jg 2>&1); rc=$?
same "a mistyped id is 66" 66 "$rc"
check "...naming both places looked in" grep -q "/var/lib/appv/installed" <<<"$err"
check "...and the id it is close to" grep -q "did you mean 'org.jqlang.jq'" <<<"$err"
cd "$work"

# Through the exported command, as a shell finds it once the directory is on PATH:
# the link's name picks the entry point (busybox style), so the keys come sorted.
same "start the tool through its command" '{"a":2,"b":1}' \
  "$(echo '{"b":1,"a":2}' | PATH="$bin:$PATH" bash -c 'jq-sorted -c .')"

# The GUI program on a virtual screen: by id, then from its menu entry's Exec line.
start_xvfb
window_shown() {
  local app=$1 shown=1
  for _ in $(seq 150); do
    xwininfo -display "$display" -root -children 2>/dev/null | grep -q '"xmessage"' && { shown=0; break; }
    sleep 0.1
  done
  kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
  # Closed with the command that started it, before the next start looks for a window.
  for _ in $(seq 50); do
    xwininfo -display "$display" -root -children 2>/dev/null | grep -q '"xmessage"' || return $shown
    sleep 0.1
  done
  echo "the window stayed after its launcher was killed" >&2
  return 1
}
DISPLAY=$display "$A" run org.x.xmessage &
check "start the GUI program by id: its window appears" window_shown $!
data=$HOME/.local/share
[[ -n ${system[*]} ]] && data=/usr/local/share
entry=$data/applications/org.x.xmessage.desktop
check "its menu entry passes desktop-file-validate" desktop-file-validate "$entry"
exec_value=$(sed -n 's/^Exec=//p' "$entry")
mapfile -t cmd < <(/usr/bin/python3 -c 'import shlex, sys; [print(a) for a in shlex.split(sys.argv[1]) if not a.startswith("%")]' "$exec_value")
DISPLAY=$display "${cmd[@]}" &
check "start it from its menu entry's Exec line: its window appears" window_shown $!

# While it runs, its data and its cache tree are not to be removed.
DISPLAY=$display "$A" run org.x.xmessage &
app=$!
for _ in $(seq 150); do xwininfo -display "$display" -root -children 2>/dev/null | grep -q '"xmessage"' && break; sleep 0.1; done
status "sandbox rm is refused while the app runs (75)" 75 "$A" sandbox rm org.x.xmessage
status "uninstall --delete-data is refused while the app runs (75)" 75 "$A" uninstall "${system[@]}" --delete-data org.x.xmessage
check "...and leaves it installed" bash -c "'$A' list ${system[*]} | grep -q '^org.x.xmessage'"
xdigest=$(payload_digest "$work/my apps/xmessage.appv")
pruned=$("$A" cache prune --all --dry-run)
check "cache prune --all would keep the running app's tree, not the other" \
  bash -c "! grep -q '$xdigest' <<<'$pruned' && grep -q '^would remove 1 tree' <<<'$pruned'"
kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null

check "each app has a sandbox now" test -d "$HOME/.local/share/appv/sandboxes/org.jqlang.jq" -a -d "$HOME/.local/share/appv/sandboxes/org.x.xmessage"
check "appv cache lists both trees as used by an installed package" \
  bash -c "'$A' cache --json | jq -e '[.trees[] | select(.used_by != [])] | length == 2' >/dev/null"

# Cleaning up: the data with the apps, then the cache.
check "uninstall the tool with its data" "$A" uninstall "${system[@]}" --delete-data org.jqlang.jq
check "its command is gone" test ! -e "$bin/jq-sorted" -a ! -L "$bin/jq-sorted"
check "uninstall the GUI program with its data" "$A" uninstall "${system[@]}" --delete-data org.x.xmessage
status "deleting a sandbox that is gone is 66" 66 "$A" sandbox rm org.x.xmessage
check "appv cache prune --dry-run names both trees" bash -c "'$A' cache prune --all --dry-run | grep -q '^would remove 2 trees'"
out=$("$A" cache prune --all)
check "appv cache prune --all removes both trees in one line ($out)" grep -qx 'removed 2 trees, .*[0-9.]* [kMG]*B' <<<"$out"

# Nothing left but empty XDG base directories (and ~/.local, which holds them).
extra=$(comm -13 <(echo "$before") <(home_state) | grep -vxE 'd [0-7]+ \./(\.cache|\.config|\.local|\.local/share|\.local/state)')
same "the home is as it was but for empty XDG base directories" "" "$extra"
[[ -n ${system[*]} ]] && same "the system's directories are as they were" "$system_before" "$(system_state)"
finish
