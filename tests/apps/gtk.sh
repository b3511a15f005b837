#!/usr/bin/env bash
# A GTK 3 program (zenity's message dialog) under Xvfb, packed by tracing one run of
# the dialog (it closes itself after a timeout, with status 5, hence --allow-failure):
# GTK's theme, icons, the pixbuf loaders, GSettings schemas, fontconfig and the fonts
# are found by the run. On the foreign host (no X libraries, no fonts) tanaka opens the
# same dialog on this machine's X server (its socket bound into the host); the screen
# is captured with ImageMagick's import and must be the native dialog's, pixel for pixel.
# Run alone: tests/apps/run-app gtk build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== gtk on $suite"
needs zenity Xvfb xwininfo import compare
native_app=/usr/bin/zenity
disp=$((90 + RANDOM % 400))
# -noreset: an X server resets when its last client leaves, closing a connection
# accepted in that moment (a start right after the previous window closed).
Xvfb ":$disp" -screen 0 640x400x24 -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
for _ in $(seq 50); do [[ -S /tmp/.X11-unix/X$disp ]] && break; sleep 0.1; done
export DISPLAY=":$disp" LANG=C.UTF-8
app_env="export DISPLAY=:$disp LANG=C.UTF-8"
host_binds=(/tmp/.X11-unix)
dialog="app --info --title=appv-dialog --text='appv café: ÄÖÜ 日本' --width=320 --timeout=6"
# shot PNG: waits for the dialog's window, lets it draw, captures the screen.
shot() {
  local i
  for i in $(seq 100); do xwininfo -root -tree 2>/dev/null | grep -q '"appv-dialog"' && break; sleep 0.1; done
  [[ $i -lt 100 ]] || return 1
  sleep 1.5
  import -window root "$1"
}
native "$dialog" >"$work/native.log" &
shot "$work/native.png" || bad "control: the native dialog never appeared: $(cat "$work/native.log")"
wait $!
check "control: the native screen shows the dialog (>= 2000 non-background pixels: $(ink "$work/native.png"))" \
  test "$(ink "$work/native.png" || echo 0)" -ge 2000
pack_timed "trace of one run (--allow-failure: the dialog's timeout is status 5)" gtk.appv --trace --allow-failure -- \
  zenity --info --title=appv-dialog --text='appv café: ÄÖÜ 日本' --width=320 --timeout=3
for view in "${VIEWS[@]}"; do
  got=$work/$view.png
  on_host tanaka "$view" "$pkgs/gtk.appv" "$dialog" >"$work/$view.log" &
  shot "$got" || bad "$suite, as tanaka, $view view: the dialog never appeared: $(head -c 600 "$work/$view.log")"
  wait $!
  [[ -f $got ]] && same_png "$suite, as tanaka, $view view: the screen is the native dialog's" "$work/native.png" "$got"
  head -5 "$work/$view.log"
done
record timed "zenity --version (the dialog waits for its timeout)"
start_times "app --version"
apps_finish
