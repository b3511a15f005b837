#!/usr/bin/env bash
# LibreOffice Writer, headless, converting an OpenDocument text to PDF for a user who
# never ran it (no profile: LibreOffice makes one in ~/.config/libreoffice on its first
# run), packed by tracing one conversion in a fresh home, as a packager would (the
# shell launcher, oosplash, soffice.bin, its UNO components, filters and fonts are
# found by the run; the manifest names soffice the entry point, the traced command
# being env, which gives the fresh home). On the foreign host tanaka converts the document; the PDF's text
# (pdftotext, here) must be the document's.
# Run alone: tests/apps/run-app libreoffice build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== libreoffice on $suite"
needs soffice pdftotext /usr/bin/python3
native_app=/usr/bin/soffice
text='Grüße aus Tokyo: appv café, 日本語のテキスト'
# A minimal .odt: the uncompressed mimetype first, then the manifest and the content.
/usr/bin/python3 - "$out/letter.odt" "$text" <<'PY'
import sys, zipfile
path, text = sys.argv[1], sys.argv[2]
content = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:text><text:p>{text}</text:p></office:text></office:body></office:document-content>'''
manifest = '''<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>'''
with zipfile.ZipFile(path, "w") as z:
    z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
    z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
PY
chmod 644 "$out/letter.odt"
convert_to() { echo "app --headless --convert-to pdf --outdir '$1' '$out/letter.odt'"; }
pdf_text() { pdftotext -enc UTF-8 "$1" - 2>&1 | tr -s '\n\f' '\n' | sed '/^$/d'; }
native "$(convert_to "$work/native")" >/dev/null
same "control: the native conversion" "$text" "$(pdf_text "$work/native/letter.pdf")"
trace_home=$(mktemp -d "$work/trace-home.XXXXXX")
cat >libreoffice.toml <<TOML
id = "org.libreoffice.writer"
name = "LibreOffice Writer"
version = "$(dpkg-query -W -f '${Version}' libreoffice-core-nogui 2>/dev/null || echo 0)"
[entry.soffice]
path = "/usr/bin/soffice"
TOML
pack_timed "trace of one conversion in a fresh home, manifest for the entry" libreoffice.appv -m libreoffice.toml --trace -- \
  env HOME="$trace_home" soffice --headless --convert-to pdf --outdir "$work/traced" "$out/letter.odt"
for view in "${VIEWS[@]}"; do
  mkdir -m 1777 "$out/$view"
  log=$(on_host tanaka "$view" "$pkgs/libreoffice.appv" "$(convert_to "$out/$view")")
  echo "$log" | head -5
  if [[ -f $out/$view/letter.pdf ]]; then
    same "$suite, as tanaka, $view view: the PDF holds the document's text" "$text" "$(pdf_text "$out/$view/letter.pdf")"
  else
    bad "$suite, as tanaka, $view view: no PDF written: $(head -c 400 <<<"$log")"
  fi
done
record timed "one conversion (the first makes the profile)"
start_times "$(convert_to .)"
apps_finish
