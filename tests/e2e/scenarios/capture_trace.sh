#!/usr/bin/env bash
# Trace capture (appv pack --trace): python3, file, a dlopen plugin, secrets left
# out, failing runs.
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
same "far fewer .py files than the whole standard library" "yes" \
  "$([[ $(grep -c '\.py$' <<<"$traced_ls") -lt $(($("$A" ls python3.appv | grep -c '\.py$') / 4)) ]] && echo yes || echo no)"
check "the text report sits next to the package" test -s py-traced.appv.report.txt
same "the JSON report gives every file a reason and every left-out path a rule" "ok" "$(/usr/bin/python3 - py-traced.json <<'PYTHON'
import json, sys
r = json.load(open(sys.argv[1]))
inc = {i["path"]: i for i in r["included"]}
assert r["kind"] == "trace" and r["status"] == 0 and r["package"].endswith("py-traced.appv"), r
assert all(i["category"] in ("traced", "closure", "manifest", "generated") and i["reason"] for i in r["included"])
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
status "pack --trace of a command that does not exist" 66 "$A" pack --trace -o x.appv -- no-such-program-here
check "which leaves no package" test ! -e x.appv

finish
