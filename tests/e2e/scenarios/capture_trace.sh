#!/usr/bin/env bash
# Trace capture (appv pack --trace): python3, file, a dlopen plugin, secrets left
# out, failing runs; packages that start in every locale (file families and the
# launch's locale fallback), several runs in one package, and the fresh profile.
# Run alone: ctest -R e2e_user_capture_trace (and e2e_root_capture_trace, as root).
source "$1/lib.sh"
pack_python3 || bad "pack python3"
make_png

echo "== trace capture: python3"
py_code='import json, sqlite3, decimal, email.parser
decimal.getcontext().prec = 3
m = email.parser.Parser().parsestr("Subject: hi\n\nbody")
print(json.dumps([m["Subject"], str(decimal.Decimal(2) / 3), sqlite3.connect(":memory:").execute("select 7").fetchone()[0]]))'
check "trace-pack a python3 run" "$A" pack --trace -q -o py-traced.appv --report-json py-traced.json -- python3 -c "$py_code"
same "the traced package runs with /usr, /etc and /lib* hidden" '["hi", "0.667", 7]' \
  "$("$A" run "${FULL[@]}" py-traced.appv -c "$py_code")"
traced_ls=$("$A" ls py-traced.appv)
for m in json/__init__.py decimal.py email/parser.py sqlite3/__init__.py; do
  check "it holds $m, which the run imported" grep -qx "/usr/lib/python3.11/$m" <<<"$traced_ls"
done
check "it holds the sqlite3 extension's library (its closure)" grep -q '/libsqlite3\.so' <<<"$traced_ls"
check "it does not hold modules the run did not import" bash -c "! grep -qE '/python3.11/(ftplib|tkinter|unittest|xml/dom)' <<<'$traced_ls'"
same "far fewer .py files than the whole standard library (the encodings family aside)" "yes" \
  "$([[ $(grep -v /encodings/ <<<"$traced_ls" | grep -c '\.py$') -lt $(($("$A" ls python3.appv | grep -c '\.py$') / 4)) ]] && echo yes || echo no)"
check "the text report sits next to the package" test -s py-traced.appv.report.txt
same "the JSON report gives every file a reason and every left-out path a rule" "ok" "$(/usr/bin/python3 - py-traced.json <<'PYTHON'
import json, sys
r = json.load(open(sys.argv[1]))
inc = {i["path"]: i for i in r["included"]}
assert r["kind"] == "trace" and r["status"] == 0 and r["package"].endswith("py-traced.appv"), r
assert all(i["category"] in ("traced", "family", "closure", "manifest", "generated") and i["reason"] for i in r["included"])
assert inc["/usr/lib/python3.11/decimal.py"]["category"] == "traced"
assert any(i["category"] == "closure" for i in r["included"])
assert all(e["rule"] for e in r["excluded"])
assert any(e["path"] == "/etc/ld.so.cache" and e["rule"].startswith("package manager state") for e in r["excluded"])
print("ok")
PYTHON
)"

echo "== trace capture: file"
cp /usr/bin/jq "$work/elf-sample"
check "trace-pack file on a PNG, without a manifest" "$A" pack --trace -q -o file-traced.appv -- file "$work/x.png"
check "the magic database was traced" grep -qE '^traced .* /usr/lib/file/magic\.mgc ' file-traced.appv.report.txt
check "the packed file names a PNG under full isolation" grep -q '^PNG image data, 1 x 1' <<<"$("$A" run "${FULL[@]}" file-traced.appv -b "$work/x.png")"
check "and an ELF file" grep -q '^ELF 64-bit LSB' <<<"$("$A" run "${FULL[@]}" file-traced.appv -b "$work/elf-sample")"
check "the user's document was read but not packed" grep -qE "^  $work/x.png +the working directory" file-traced.appv.report.txt

echo "== trace capture: a plugin loaded with dlopen"
app=$work/plugin-app
mkdir -p "$app/bin" "$app/lib/plugins"
cat > "$app/answer.c" <<'C'
int plugin_answer(void) { return 42; }
C
cat > "$app/host.c" <<'C'
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char exe[PATH_MAX] = {0}, path[PATH_MAX + 64];
  if (readlink("/proc/self/exe", exe, sizeof exe - 1) < 0) return 2;
  snprintf(path, sizeof path, "%s/../lib/plugins/libanswer.so", dirname(exe));
  void* h = dlopen(path, RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 3; }
  int (*answer)(void) = (int (*)(void))dlsym(h, "plugin_answer");
  printf("plugin says %d\n", answer());
  return 0;
}
C
cc -O2 -shared -fPIC -o "$app/lib/plugins/libanswer.so" "$app/answer.c"
cc -O2 -o "$app/bin/plugin-host" "$app/host.c"
cat > plugin.toml <<TOML
id = "org.appv.pluginhost"
version = "1"
[entry.plugin-host]
path = "$app/bin/plugin-host"
[capture]
allow = ["$app/**"]   # it lives below /tmp, which the noise rules drop
TOML
check "trace-pack the plugin host" "$A" pack --trace -q -m plugin.toml -o plugin.appv -- "$app/bin/plugin-host"
check "the report lists the plugin as traced" grep -qE "^traced .* $app/lib/plugins/libanswer\.so +traced \(open\)" plugin.appv.report.txt
rm "$app/lib/plugins/libanswer.so"
same "it runs from the package alone (the host's plugin is gone)" "plugin says 42" \
  "$("$A" run "${FULL[@]}" --isolate "$app=full" plugin.appv)"

echo "== trace capture: a package packed in one locale starts in every other"
# As the issue's reporters did: packed under en_US.UTF-8 (generated here with glibc's
# localedef into a directory named by LOCPATH, so the host's locales stay as they
# are), or C.UTF-8 where localedef or its sources are missing.
pack_env=(LANG=C.UTF-8)
if command -v localedef >/dev/null && [[ -f /usr/share/i18n/locales/en_US ]] && mkdir -p "$work/locales" &&
   localedef -i en_US -f UTF-8 "$work/locales/en_US.UTF-8" >/dev/null 2>&1; then
  pack_env=(LANG=en_US.UTF-8 LOCPATH="$work/locales")
fi
echo "packing under ${pack_env[*]}"
check "trace-pack python3 printing é" env -u LC_ALL -u PYTHONIOENCODING "${pack_env[@]}" \
  "$A" pack --trace -q -o py-locale.appv --report-json py-locale.json -- python3 -c 'print("é")'
locale_ls=$("$A" ls py-locale.appv)
check "it holds Python's whole encodings package (ascii too)" grep -qx /usr/lib/python3.11/encodings/ascii.py <<<"$locale_ls"
check "it holds glibc's C.UTF-8" grep -qx /usr/lib/locale/C.utf8/LC_CTYPE <<<"$locale_ls"
check "it holds the gconv configuration and a basic converter" \
  bash -c "grep -qE '/gconv/gconv-modules\$' <<<'$locale_ls' && grep -qE '/gconv/UTF-16\.so\$' <<<'$locale_ls'"
same "the report names the family rule that brought each of them" "ok" "$(/usr/bin/python3 - py-locale.json <<'PYTHON'
import json, sys
inc = {i["path"]: i for i in json.load(open(sys.argv[1]))["included"]}
a = inc["/usr/lib/python3.11/encodings/ascii.py"]
assert a["category"] == "family" and a["reason"] == "family Python's encodings package (for /usr/lib/python3.11/encodings)", a
c = inc["/usr/lib/locale/C.utf8/LC_CTYPE"]
assert c["category"] == "family" and c["reason"].startswith("family the C.UTF-8 locale (for /"), c
assert inc["/usr/lib/python3.11/encodings/utf_8.py"]["category"] == "traced"
print("ok")
PYTHON
)"
for lang in unset C C.UTF-8 fr_FR.UTF-8; do
  lang_env=(-u LANG); [[ $lang != unset ]] && lang_env=(LANG=$lang)
  out=$(env -u LC_ALL -u PYTHONIOENCODING "${lang_env[@]}" "$A" run "${FULL[@]}" py-locale.appv -c 'print("é")' 2>"$work/locale.err")
  same "with /usr, /etc, /lib* hidden and LANG $lang, it starts and prints é" "é" "$out"
  if [[ $lang == fr_FR.UTF-8 ]]; then
    same "appv says once which locale the view lacks and what the app runs with" \
      "appv: locale fr_FR.UTF-8 (LANG) is not in this app's view (the package; the host's /usr/lib/locale is hidden); the app runs with C.UTF-8 instead" \
      "$(cat "$work/locale.err")"
  else
    same "and says nothing about the locale" "" "$(cat "$work/locale.err")"
  fi
done
check "trace-pack perl" env "${pack_env[@]}" "$A" pack --trace -q -o perl-locale.appv -- perl -e 'print "ok\n"'
same "perl starts in a locale the view lacks without its locale warning" "ok|1" \
  "$(env LANG=fr_FR.UTF-8 "$A" run "${FULL[@]}" perl-locale.appv -e 'print "ok\n"' 2>"$work/perl.err")|$(grep -c . "$work/perl.err")"

pack_jq || bad "pack jq"
check "closure capture packs glibc's C.UTF-8 with libc too" grep -qx /usr/lib/locale/C.utf8/LC_CTYPE <<<"$("$A" ls jq.appv)"
same "so a closure-packed jq keeps UTF-8 in a locale the view lacks" '"é"|appv: locale de_DE.UTF-8 (LANG) is not in this app'"'"'s view (the package; the host'"'"'s /usr/lib/locale is hidden); the app runs with C.UTF-8 instead' \
  "$(echo '"\u00e9"' | env LANG=de_DE.UTF-8 "$A" run "${FULL[@]}" jq.appv . 2>"$work/jq.err")|$(cat "$work/jq.err")"

echo "== trace capture: a plugin family (gdk-pixbuf's image loaders)"
convert -size 8x8 xc:red "$work/red.png" && convert -size 8x8 xc:blue "$work/blue.gif"
if command -v gdk-pixbuf-thumbnailer >/dev/null; then
  check "trace-pack gdk-pixbuf-thumbnailer on a PNG" "$A" pack --trace -q -o thumb.appv -- gdk-pixbuf-thumbnailer -s 8 red.png thumb1.png
  check "the report names the family that brought the GIF loader the run never loaded" \
    grep -qE "^family .*/gdk-pixbuf-2\.0/2\.10\.0/loaders/libpixbufloader-gif\.so +family gdk-pixbuf's image loaders \(for /" thumb.appv.report.txt
  check "with /usr, /etc, /lib* hidden it thumbnails a GIF" "$A" run "${FULL[@]}" thumb.appv -s 8 blue.gif thumb2.png
  check "which is a PNG" grep -q '^PNG image data, 8 x 8' <<<"$(file -b thumb2.png)"
else
  bad "gdk-pixbuf-thumbnailer is not installed (scripts/install-deps installs libgdk-pixbuf2.0-bin)"
fi

echo "== trace capture: several runs, one package"
check "trace-pack two runs of python3" "$A" pack --trace -q -o two-runs.appv --report-json two-runs.json \
  --trace-run "python3 -c 'import json'" --trace-run 'python3 -c "import decimal, fractions"'
same "each file names the runs that used it" "ok" "$(/usr/bin/python3 - two-runs.json <<'PYTHON'
import json, sys
r = json.load(open(sys.argv[1]))
assert [run["command"] for run in r["runs"]] == [["python3", "-c", "import json"], ["python3", "-c", "import decimal, fractions"]], r["runs"]
assert all(run["status"] == 0 and run["profile"] for run in r["runs"])
inc = {i["path"]: i for i in r["included"]}
assert inc["/usr/lib/python3.11/json/__init__.py"]["runs"] == [1], inc["/usr/lib/python3.11/json/__init__.py"]
assert inc["/usr/lib/python3.11/decimal.py"]["runs"] == [2]
assert inc["/usr/lib/python3.11/decimal.py"]["reason"].endswith(") in run 2"), inc["/usr/lib/python3.11/decimal.py"]
assert inc["/usr/lib/python3.11/os.py"]["runs"] == [1, 2]
assert inc["/usr/lib/python3.11/os.py"]["reason"].endswith(") in runs 1, 2")
print("ok")
PYTHON
)"
check "the text report lists both runs" bash -c "grep -qx \"run 1: python3 -c 'import json'\" two-runs.appv.report.txt && grep -qx \"run 2: python3 -c 'import decimal, fractions'\" two-runs.appv.report.txt"
same "the package runs what either run imported" "2/3" \
  "$("$A" run "${FULL[@]}" two-runs.appv -c 'import json, decimal, fractions; print(fractions.Fraction(2, 3))')"

cat > runs.toml <<'TOML'
id = "org.appv.runs"
version = "1"
[entry.python3]
path = "/usr/bin/python3"
[capture]
runs = [["python3", "-c", "import json"], ["python3", "-c", "import csv"]]
TOML
check "trace-pack the manifest's runs after the command line's" "$A" pack --trace -q -m runs.toml -o runs.appv --report-json runs.json \
  -- python3 -c 'import decimal'
same "the report lists the three runs in that order" "decimal json csv" \
  "$(/usr/bin/python3 -c 'import json, sys; print(" ".join(r["command"][2].split()[1] for r in json.load(open(sys.argv[1]))["runs"]))' runs.json)"

echo "== trace capture: a fresh profile"
first_run='echo "$HOME" > seen-home; mkdir -p "$HOME/.config/tool"; echo first > "$HOME/.config/tool/state"; cat "$HOME/.config/tool/state" >/dev/null'
check "trace-pack a program that writes into its HOME" "$A" pack --trace -q -o fresh.appv -- sh -c "$first_run"
traced_home=$(cat seen-home)
check "it ran with a new, empty HOME, not the user's" bash -c "[[ '$traced_home' == /tmp/appv-trace-*/home && '$traced_home' != '$HOME' ]]"
check "which is gone after the capture" test ! -e "$traced_home"
check "what it wrote there is not in the package" bash -c "! '$A' ls fresh.appv | grep -q '/.config/tool'"
check "the report lists it as first-run state" \
  grep -qE "^  $traced_home/.config/tool/state +first-run state in run 1's fresh profile" fresh.appv.report.txt
check "--trace-keep-profile runs in the user's own HOME" "$A" pack --trace -q --trace-keep-profile -o kept.appv -- sh -c "$first_run"
same "and its HOME is the user's" "$HOME" "$(cat seen-home)"
rm -rf "$HOME/.config"  # made by the run above, for this check only
status "--trace-keep-profile needs --trace" 64 "$A" pack --trace-keep-profile -o x.appv /usr/bin/jq
status "--trace-run with an unterminated quote" 64 "$A" pack --trace-run "python3 -c 'x" -o x.appv

echo "== trace capture: secrets and failures"
mkdir -p "$HOME/.ssh"
echo "-----BEGIN OPENSSH PRIVATE KEY----- not really" > "$HOME/.ssh/id_test"
check "trace-pack a program that reads ~/.ssh/id_test" "$A" pack --trace -q -o secret.appv -- python3 -c "print(len(open('$HOME/.ssh/id_test').read()))"
check "the key is not in the package" bash -c "! '$A' ls secret.appv | grep -q id_test"
check "the report says why" grep -qE "^  $HOME/.ssh/id_test +secret: SSH keys" secret.appv.report.txt
rm -rf "$HOME/.ssh"
status "a failing traced run gives its exit status" 3 "$A" pack --trace -q -o fail.appv -- python3 -c 'raise SystemExit(3)'
check "and a report, but no package" bash -c "test -s fail.appv.report.txt && test ! -e fail.appv"
check "--allow-failure packs anyway" bash -c "'$A' pack --trace -q --allow-failure -o fail.appv -- python3 -c 'raise SystemExit(3)'; test -s fail.appv"
status "pack --trace without a command" 64 "$A" pack --trace -o x.appv
check "which says where a command can come from" bash -c "'$A' pack --trace -o x.appv 2>&1 | grep -q 'give the command to trace after --, with --trace-run, or in the manifest'"
status "pack --trace of a command that does not exist" 66 "$A" pack --trace -o x.appv -- no-such-program-here
check "which leaves no package" test ! -e x.appv

finish
