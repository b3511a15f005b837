#!/usr/bin/env bash
# Icons are checked when packing: a theme name resolved in the package's own icon
# themes (or taken from this host, with a warning), an absolute path in the package,
# a missing icon and an unsupported format refused (65, one line, no file left), and
# install placing exactly what pack recorded. Real icons: ImageMagick's display ships
# hicolor PNGs in many sizes and an XPM in /usr/share/pixmaps.
# Run alone: ctest -R e2e_user_desktop_icons (and e2e_root_desktop_icons, as root).
source "$1/lib.sh"
echo "== desktop icons checked when packing"
data=$HOME/.local/share
icon=display-im6.q16
program=/usr/bin/display-im6.q16
mapfile -t theme_pngs < <(ls /usr/share/icons/hicolor/*/apps/$icon.png 2>/dev/null)
[[ ${#theme_pngs[@]} -ge 2 && -x $program && -f /usr/share/pixmaps/$icon.xpm ]] ||
  skip "ImageMagick's display and its icons are not installed (scripts/install-deps --test)"
# The size directories of the host's icons, as the theme lays them out: 16x16 48x48 ...
host_sizes=$(for f in "${theme_pngs[@]}"; do basename "$(dirname "$(dirname "$f")")"; done | sort | tr '\n' ' ')

manifest() {  # manifest FILE ICON [INCLUDE...]: display with [desktop] icon = ICON
  local file=$1 value=$2 include="" g
  shift 2
  for g in "$@"; do include+="\"$g\", "; done
  cat > "$file" <<TOML
id = "org.imagemagick.display"
name = "ImageMagick display"
version = "6"
[entry.display]
path = "$program"
[files]
include = [${include%, }]
[desktop]
icon = "$value"
categories = ["Graphics"]
TOML
  [[ -n $include ]] || sed -i '/^\[files\]$/,/^include/d' "$file"
}
# The manifest a package stores, read with stock tools (DESIGN.md, invariant 7).
stored_manifest() { tail -c +$(($(info_field "$1" .payload.offset) + 1)) "$1" | zstd -dc | tar --warning=no-unknown-keyword -xO .appv/manifest.toml; }
# The size directories its [desktop] icon_files name (read by Python's own TOML
# reader), sorted like host_sizes.
recorded_sizes() {
  stored_manifest "$1" | /usr/bin/python3 -c 'import sys, tomllib; print(*tomllib.load(sys.stdin.buffer)["desktop"]["icon_files"], sep="\n")' | sort | tr '\n' ' '
}
snapshot() { (cd "$data" 2>/dev/null && find applications icons -printf '%y %p\n' 2>/dev/null | sort); }

echo "-- a theme name, the icons included by the manifest"
manifest theme.toml "$icon" "/usr/share/icons/hicolor/*/apps/$icon.png"
err=$("$A" pack -q -m theme.toml -o theme.appv 2>&1)
check "it packs" test -f theme.appv
same "without a warning about icons" "" "$(grep -i icon <<<"$err")"
same "the package records one icon file per size the host's theme has" "$host_sizes" "$(recorded_sizes theme.appv)"
before=$(snapshot)
check "install" "$A" install theme.appv
entry=$data/applications/org.imagemagick.display.desktop
check "the menu entry is named after the app id and validates" desktop-file-validate "$entry"
check "its Name defaults to the manifest's name" grep -qx 'Name=ImageMagick display' "$entry"
check "its Icon is the app id" grep -qx 'Icon=org.imagemagick.display' "$entry"
check "StartupWMClass defaults to the program's basename" grep -qx "StartupWMClass=$icon" "$entry"
installed=0 identical=0
for f in "${theme_pngs[@]}"; do
  size=$(basename "$(dirname "$(dirname "$f")")")
  dest=$data/icons/hicolor/$size/apps/org.imagemagick.display.png
  [[ -f $dest ]] && installed=$((installed + 1))
  cmp -s "$f" "$dest" && identical=$((identical + 1))
done
same "every size is installed" "${#theme_pngs[@]}" "$installed"
same "each the host's own bytes" "${#theme_pngs[@]}" "$identical"
same "and nothing else" "${#theme_pngs[@]}" "$(find "$data/icons" -type f | wc -l)"
check "uninstall" "$A" uninstall org.imagemagick.display
same "uninstall removes the entry and every icon" "$before" "$(snapshot)"

echo "-- a theme name the package lacks: taken from this host, with a warning"
manifest pulled.toml "$icon"
err=$("$A" pack -q -m pulled.toml -o pulled.appv 2>&1)
check "it packs" test -f pulled.appv
check "one warning names the key and what was added" grep -q "^appv: warning: desktop.icon '$icon': the package had no such icon; added ${#theme_pngs[@]} file(s) from this host (.*/usr/share/icons/hicolor/48x48/apps/$icon.png" <<<"$err"
same "the package holds them" "${#theme_pngs[@]}" "$("$A" ls pulled.appv | grep -c "^/usr/share/icons/hicolor/.*/apps/$icon.png$")"
same "and records them" "$host_sizes" "$(recorded_sizes pulled.appv)"

echo "-- an absolute path in the package (an XPM)"
manifest xpm.toml /usr/share/pixmaps/$icon.xpm /usr/share/pixmaps/$icon.xpm
check "it packs" "$A" pack -q -m xpm.toml -o xpm.appv
xpm_size=$(sed -n '4s/^"\([0-9]*\) .*/\1/p' /usr/share/pixmaps/$icon.xpm)
check "install" "$A" install xpm.appv
check "the XPM is installed at its size, under the app id" cmp -s /usr/share/pixmaps/$icon.xpm "$data/icons/hicolor/${xpm_size}x${xpm_size}/apps/org.imagemagick.display.xpm"
check "the entry validates" desktop-file-validate "$entry"
check "uninstall" "$A" uninstall org.imagemagick.display

echo "-- refused: nothing is written"
# refused NAME MESSAGE_PATTERN MANIFEST: pack fails with 65, one line matching the
# pattern, and the output directory stays empty (no package, no temporary file).
refused() {
  local name=$1 pattern=$2 file=$3 out err rc
  out=$(mktemp -d "$work/out.XXXXXX")
  err=$("$A" pack -q -m "$file" -o "$out/x.appv" 2>&1 >/dev/null); rc=$?
  same "$name: status" 65 "$rc"
  same "$name: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
  check "$name: the message names the key, the value and why ($err)" grep -q "$pattern" <<<"$err"
  same "$name: no file is left" "" "$(ls -A "$out")"
  rmdir "$out"
}
manifest missing.toml appv-no-such-icon
refused "a theme name found nowhere" "^appv: desktop.icon 'appv-no-such-icon': no such icon in the package or on this host" missing.toml
manifest absent.toml /usr/share/pixmaps/$icon.xpm
refused "an absolute path not in the package" "^appv: desktop.icon '/usr/share/pixmaps/$icon.xpm': /usr/share/pixmaps/$icon.xpm is not in the package" absent.toml
convert -size 48x48 xc:orange "$work/photo.jpg"
cp "$work/photo.jpg" "$work/photo.png"
manifest jpeg.toml "$work/photo.jpg" "$work/photo.jpg"
refused "a JPEG" "^appv: desktop.icon '$work/photo.jpg': $work/photo.jpg is not a PNG, SVG or XPM image" jpeg.toml
manifest named.toml "$work/photo.png" "$work/photo.png"
refused "a JPEG named .png" "^appv: desktop.icon '$work/photo.png': $work/photo.png is not a PNG, SVG or XPM image" named.toml
sed 's/^id = .*/id = "display"/' xpm.toml > plain-id.toml
refused "an app id that cannot name a desktop file" "^appv: id 'display': names the desktop entry display.desktop" plain-id.toml

finish
