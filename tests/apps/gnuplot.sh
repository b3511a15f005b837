#!/usr/bin/env bash
# gnuplot drawing a plot with a title and a key to a PNG through its cairo terminal,
# packed by tracing one plot: the terminal's libraries (cairo, pango), fontconfig's
# configuration and the fonts are found by the run. On the foreign host (no fonts)
# tanaka draws the same plot: it must be the native PNG pixel for pixel, with the title
# drawn (ink in the title's band).
# Run alone: tests/apps/run-app gnuplot build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== gnuplot on $suite"
needs gnuplot compare
native_app=/usr/bin/gnuplot
commands() {
  echo "set terminal pngcairo size 480,320 font 'DejaVu Sans,12'; set output '$1';" \
       "set title 'appv café: sin(x)'; set xlabel 'x (rad)'; plot sin(x) title 'sin(x)' lw 2"
}
plot() { echo "app -e $(printf '%q' "$(commands "$1")")"; }
native "$(plot "$work/native.png")"
# The title's band: the top 30 rows.
title_ink() { ink "$1" 480x30+0+0 2>/dev/null || echo 0; }
check "control: the native plot has a title ($(title_ink "$work/native.png") ink pixels in its band, >= 300)" \
  test "$(title_ink "$work/native.png")" -ge 300
pack_timed "trace of one plot" gnuplot.appv --trace -- gnuplot -e "$(commands "$work/traced.png")"
for view in "${VIEWS[@]}"; do
  got=$out/$view.png
  log=$(on_host tanaka "$view" "$pkgs/gnuplot.appv" "$(plot "$got")")
  [[ -n $log ]] && echo "$log" | head -5
  check "$suite, as tanaka, $view view: the title was drawn ($(title_ink "$got") ink pixels, >= 300)" \
    test "$(title_ink "$got")" -ge 300
  same_png "$suite, as tanaka, $view view: the plot is the native one" "$work/native.png" "$got"
done
record timed "one plot"
start_times "$(plot timing.png)"
apps_finish
