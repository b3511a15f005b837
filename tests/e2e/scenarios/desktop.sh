#!/usr/bin/env bash
# Desktop integration: install and uninstall in a fresh home, the window on a
# virtual screen, and (as root) install --system.
# Run alone: ctest -R e2e_user_desktop (and e2e_root_desktop, as root).
source "$1/lib.sh"
echo "== desktop integration"
data=$HOME/.local/share
# What the user's desktop directories hold: names, types, modes and contents.
snapshot() {
  (cd "$data" 2>/dev/null || exit 0
   find applications icons mime -printf '%y %m %p\n' 2>/dev/null | sort
   find applications icons mime -type f -exec sha256sum {} + 2>/dev/null | sort)
}
xmessage_manifest
check "pack the GUI program" "$A" pack -q -m xmessage-gui.toml -o "$work/my apps/xmessage.appv"

before=$(snapshot)
check "install into a fresh home" "$A" install "$work/my apps/xmessage.appv"
entry=$data/applications/org.x.xmessage.desktop
check "a desktop entry named after the app id was written" test -f "$entry"
for f in "$data"/applications/*.desktop; do
  check "$(basename "$f") passes desktop-file-validate" desktop-file-validate "$f"
done
check "the entry's window class is the program's" grep -qx 'StartupWMClass=xmessage' "$entry"
check "the icon is in the hicolor theme, named after the app id" cmp -s "$work/icon.png" "$data/icons/hicolor/48x48/apps/org.x.xmessage.png"
check "the entry names it" grep -qx 'Icon=org.x.xmessage' "$entry"
check "application/x-appv is in the MIME database" grep -q 'application/x-appv' "$data/mime/globs2"
check "the app is associated with its MIME type" grep -q '^text/plain=.*org.x.xmessage.desktop' "$data/applications/mimeinfo.cache"
check "appv list shows it" jq -e --arg pkg "$data/appv/packages/org.x.xmessage.appv" \
  '.[] | select(.id == "org.x.xmessage") | .version == "1" and .package == $pkg and .origin == null' <<<"$("$A" list --json)"
check "appv list shows it to people under a header" grep -qE "^APP +VERSION +PACKAGE" <<<"$("$A" list)"

# Start the app the way a desktop does: from the entry's Exec line, field codes
# dropped, quoting undone (by Python's shlex, which follows the same rules here).
exec_value=$(sed -n 's/^Exec=//p' "$entry")
start_xvfb
mapfile -t cmd < <(/usr/bin/python3 -c 'import shlex, sys; [print(a) for a in shlex.split(sys.argv[1]) if not a.startswith("%")]' "$exec_value")
DISPLAY=$display "${cmd[@]}" &
app=$!
for _ in $(seq 100); do xwininfo -display "$display" -root -children 2>/dev/null | grep -q '"xmessage"' && break; sleep 0.1; done
import -display "$display" -window root "$work/screen.png" 2>/dev/null
colours=$(convert "$work/screen.png" -format %k info: 2>/dev/null)
check "the window appeared on the screen (not blank: ${colours:-0} colours)" test "${colours:-0}" -ge 2
check "the screen shows xmessage's yellow" bash -c "convert '$work/screen.png' -format %c histogram:info: | grep -qi 'yellow\|#FFFF00'"
kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null

check "uninstall" "$A" uninstall org.x.xmessage
same "install then uninstall leaves the desktop directories as they were" "$before" "$(snapshot)"
check "the sandbox is kept" test -d "$data/appv/sandboxes/org.x.xmessage"

# Again with the user's own entries and MIME types already there.
mkdir -p "$data/applications" "$data/mime/packages"
printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=true\nMimeType=text/x-mine;\n' > "$data/applications/mine.desktop"
printf '<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info"><mime-type type="text/x-mine"><glob pattern="*.mine"/></mime-type></mime-info>\n' > "$data/mime/packages/mine.xml"
update-mime-database "$data/mime" >/dev/null 2>&1
update-desktop-database "$data/applications" >/dev/null 2>&1
before=$(snapshot)
"$A" install "$work/my apps/xmessage.appv" >/dev/null && "$A" install "$work/my apps/xmessage.appv" >/dev/null
check "reinstalling keeps one entry" test "$(ls "$data/applications" | grep -c org.x.xmessage)" -eq 1
"$A" uninstall org.x.xmessage >/dev/null
same "with the user's own files too, uninstall restores them exactly" "$before" "$(snapshot)"
status "uninstalling what is not installed is 66, as for run" 66 "$A" uninstall org.x.xmessage

# A desktop file of the user's own where install would write one is never replaced
# (nor removed by an uninstall).
printf '[Desktop Entry]\nType=Application\nName=Mine too\nExec=true\n' > "$data/applications/org.x.xmessage.desktop"
status "install refuses to replace a desktop file that is not appv's" 64 "$A" install "$work/my apps/xmessage.appv"
check "the user's file is intact" grep -qx 'Name=Mine too' "$data/applications/org.x.xmessage.desktop"
check "and the refused install left no icon" test ! -e "$data/icons/hicolor/48x48/apps/org.x.xmessage.png"
rm "$data/applications/org.x.xmessage.desktop"

# Two entry points, each with a menu entry of its own: x11-apps' xeyes and xclock.
cat > x11apps.toml <<TOML
id = "org.x.x11apps"
name = "X eyes"
version = "7"
default_entry = "xeyes"
[entry.xeyes]
path = "/usr/bin/xeyes"
[entry.xclock]
path = "/usr/bin/xclock"
[entry.xclock.desktop]
comment = "Analog clock"
[desktop]
comment = "Eyes that follow the pointer"
categories = ["Utility"]
TOML
check "pack two entry points with menu entries" "$A" pack -q -m x11apps.toml -o x11apps.appv
before=$(snapshot)
check "install them" "$A" install x11apps.appv
eyes=$data/applications/org.x.x11apps.desktop clock=$data/applications/org.x.x11apps.xclock.desktop
for f in "$eyes" "$clock"; do
  check "$(basename "$f") passes desktop-file-validate" desktop-file-validate "$f"
done
check "the default entry's Name is the manifest's name" grep -qx 'Name=X eyes' "$eyes"
check "the second entry's Name is its own" grep -qx 'Name=xclock' "$clock"
check "its own comment, the shared categories" bash -c "grep -qx 'Comment=Analog clock' '$clock' && grep -qx 'Categories=Utility;' '$clock'"
check "each has its program's window class" bash -c "grep -qx StartupWMClass=xeyes '$eyes' && grep -qx StartupWMClass=xclock '$clock'"
check "each starts its own entry point" bash -c "grep -Eq '^Exec=.*-entry xeyes( |\$)' '$eyes' && grep -Eq '^Exec=.*-entry xclock( |\$)' '$clock'"
check "uninstall them" "$A" uninstall org.x.x11apps
same "both entries are gone" "$before" "$(snapshot)"
if [[ $(id -u) -eq 0 ]]; then
  sys_snapshot() {
    (cd /usr/local/share && find applications icons mime -printf '%y %m %p\n' 2>/dev/null | sort
     find applications icons mime -type f -exec sha256sum {} + 2>/dev/null | sort)
    find /var/lib/appv 2>/dev/null | sort
  }
  before=$(sys_snapshot)
  check "install --system" "$A" install --system "$work/my apps/xmessage.appv"
  check "a system-wide desktop entry" desktop-file-validate /usr/local/share/applications/org.x.xmessage.desktop
  check "appv list --system shows it" jq -e 'any(.[]; .id == "org.x.xmessage")' <<<"$("$A" list --system --json)"
  check "uninstall --system" "$A" uninstall --system org.x.xmessage
  same "the system directories are as they were" "$before" "$(sys_snapshot)"
else
  status "install --system needs root" 64 "$A" install --system "$work/my apps/xmessage.appv"
fi

finish
