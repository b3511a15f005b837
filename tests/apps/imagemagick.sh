#!/usr/bin/env bash
# ImageMagick rendering text, packed by tracing one rendering: its coders and
# configuration (the policy, the type maps naming the DejaVu fonts) and the fonts are
# found by the run. On the foreign host (which has no fonts at all) tanaka renders the
# same text to a PNG: it must be the native rendering pixel for pixel, and hold text
# (enough non-background pixels where the text goes).
# Run alone: tests/apps/run-app imagemagick build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== imagemagick on $suite"
needs convert compare
native_app=/usr/bin/convert
args=(-size 360x80 xc:white -font DejaVu-Sans -pointsize 32 -fill black -annotate +10+52 'appv café ÄÖÜ')
render() { echo "app $(printf '%q ' "${args[@]}") '$1'"; }
same "control: the host has no fonts" "" "$(on tanaka -- bash -c 'ls /usr/share/fonts 2>/dev/null')"
native "$(render "$work/native.png")"
check "control: the native rendering holds text (>= 1500 ink pixels: $(ink "$work/native.png"))" \
  test "$(ink "$work/native.png")" -ge 1500
pack_timed "trace of one rendering" imagemagick.appv --trace -- convert "${args[@]}" "$work/traced.png"
for view in "${VIEWS[@]}"; do
  got=$out/$view.png
  log=$(on_host tanaka "$view" "$pkgs/imagemagick.appv" "$(render "$got")")
  [[ -n $log ]] && echo "$log" | head -5
  check "$suite, as tanaka, $view view: text was rendered ($(ink "$got" 2>/dev/null || echo no) ink pixels, >= 1500)" \
    test "$(ink "$got" 2>/dev/null || echo 0)" -ge 1500
  same_png "$suite, as tanaka, $view view: the rendering is the native one" "$work/native.png" "$got"
done
record timed "one text rendering"
start_times "$(render timing.png)"
apps_finish
