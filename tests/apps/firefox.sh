#!/usr/bin/env bash
# firefox-esr, headless, taking a screenshot of a local page for a user who never ran
# it (no profile: Firefox makes one in ~/.mozilla on its first run), packed by tracing
# one screenshot in a fresh home (the launcher script, firefox-esr's libraries, omni.ja,
# its content processes, fontconfig and the fonts are found by the run; the manifest
# names firefox-esr the entry point, the traced command being env, which gives the fresh
# home). On the foreign host (no fonts, no X libraries) tanaka takes the same
# screenshot: it must be the native one, pixel for pixel, with the page's text drawn.
# Run alone: tests/apps/run-app firefox build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== firefox on $suite"
needs firefox-esr compare
native_app=/usr/bin/firefox-esr
cat >"$out/page.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><style>
body { margin: 0; background: #ffffff; font: 24px "DejaVu Sans"; }
h1 { font-size: 28px; margin: 16px; color: #202080; }
div { width: 120px; height: 60px; margin: 16px; background: #e04020; }
</style></head>
<body><h1>appv café ÄÖÜ</h1><p style="margin:16px">Grüße aus Tokyo</p><div></div></body></html>
HTML
chmod 644 "$out/page.html"
shoot() { echo "app --headless --window-size=400,300 --screenshot '$1' 'file://$out/page.html'"; }
native "$(shoot "$work/native.png")" | tail -3
# The heading's band: the top 60 rows.
text_ink() { ink "$1" 400x60+0+0 2>/dev/null || echo 0; }
check "control: the native screenshot shows the heading ($(text_ink "$work/native.png") ink pixels in its band, >= 500)" \
  test "$(text_ink "$work/native.png")" -ge 500
trace_home=$(mktemp -d "$work/trace-home.XXXXXX")
cat >firefox.toml <<TOML
id = "org.mozilla.firefox-esr"
name = "Firefox ESR"
version = "$(dpkg-query -W -f '${Version}' firefox-esr)"
[entry.firefox-esr]
path = "/usr/bin/firefox-esr"
TOML
pack_timed "trace of one screenshot in a fresh home, manifest for the entry" firefox.appv -m firefox.toml --trace -- \
  env HOME="$trace_home" firefox-esr --headless --window-size=400,300 --screenshot "$work/traced.png" "file://$out/page.html"
for view in "${VIEWS[@]}"; do
  got=$out/$view.png
  log=$(on_host tanaka "$view" "$pkgs/firefox.appv" "$(shoot "$got")")
  echo "$log" | grep -v '^\*\*\*' | head -5
  if [[ -s $got ]]; then
    check "$suite, as tanaka, $view view: the heading was drawn ($(text_ink "$got") ink pixels, >= 500)" \
      test "$(text_ink "$got")" -ge 500
    same_png "$suite, as tanaka, $view view: the screenshot is the native one" "$work/native.png" "$got"
  else
    bad "$suite, as tanaka, $view view: no screenshot: $(grep -v '^\*\*\*' <<<"$log" | head -c 400)"
  fi
done
record timed "one screenshot (the first makes the profile)"
start_times "$(shoot shot.png)"
apps_finish
