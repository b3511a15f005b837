#!/usr/bin/env bash
# Isolation modes (writecopy, full, merged), the sandbox commands, --temp, and
# two instances of an app sharing one view.
# Run alone: ctest -R e2e_user_isolation (and e2e_root_isolation, as root).
source "$1/lib.sh"
pack_python3 && packed jqx.appv /usr/bin/jq || bad "pack the packages this scenario runs"

PY=org.python.python3
# The probe, run by the packaged python3: changes a tree the way an app would.
probe_changes='import os, sys
d = sys.argv[1]
open(d + "/new.txt", "w").write("new\n")
open(d + "/mod.txt", "a").write("appended\n")
os.remove(d + "/gone.txt")
os.rename(d + "/ren.txt", d + "/renamed.txt")
os.chmod(d + "/chm.txt", 0o600)
os.symlink("mod.txt", d + "/link")
os.mkdir(d + "/newdir")
open(d + "/sub/deep.txt", "w").write("rewritten\n")'
# What the app sees: every entry with its type, mode and content digest.
probe_list='import hashlib, os, stat, sys
d = sys.argv[1]
for root, dirs, files in sorted(os.walk(d)):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(root, n)
        st = os.lstat(p)
        kind = "l" if stat.S_ISLNK(st.st_mode) else "d" if stat.S_ISDIR(st.st_mode) else "f"
        what = os.readlink(p) if kind == "l" else hashlib.sha256(open(p, "rb").read()).hexdigest()[:12] if kind == "f" else ""
        print(kind, oct(st.st_mode & 0o7777), os.path.relpath(p, d), what)'
# The same listing taken on the host, without appv.
host_list() { /usr/bin/python3 -c "$probe_list" "$1"; }
populate() {
  rm -rf "$1"; mkdir -p "$1/sub"
  for f in keep mod gone ren chm; do echo "$f" > "$1/$f.txt"; done
  echo deep > "$1/sub/deep.txt"
  chmod 644 "$1"/*.txt
}
# The listing a probe's changes should leave, computed on a scratch copy on the host.
expected_after_probe() {
  local scratch=$work/expected-tree
  populate "$scratch"
  /usr/bin/python3 -c "$probe_changes" "$scratch"
  host_list "$scratch"
}
app_list() { "$A" run "$@" python3.appv -c "$probe_list" "$tree"; }
diff_under() { "$A" sandbox diff "$1" | grep " $2/" | sed "s|$2/||"; }

echo "== isolation modes: what the host keeps and what the app sees next time"
want=$(expected_after_probe)
pristine_listing() { local t=$work/pristine; populate "$t"; host_list "$t"; }
pristine=$(pristine_listing)

# writecopy: the host never changes; the app finds its changes on the next run.
tree=$work/tree-writecopy
populate "$tree"
before=$(host_list "$tree")
check "writecopy: the probe runs" "$A" run --isolate "$tree=writecopy" python3.appv -c "$probe_changes" "$tree"
same "writecopy: the host tree is byte-for-byte unchanged" "$before" "$(host_list "$tree")"
same "writecopy: the next run sees every change" "$want" "$(app_list --isolate "$tree=writecopy")"
same "writecopy: sandbox diff reports exactly what the probe did" \
  "M chm.txt/D gone.txt/A link/M mod.txt/A new.txt/A newdir//D ren.txt/A renamed.txt/M sub/deep.txt/" \
  "$(diff_under $PY "$tree" | tr '\n' '/')"

# full: the host's tree is hidden; the app starts from an empty directory of its own.
tree=$work/tree-full
populate "$tree"
before=$(host_list "$tree")
same "full: the app sees an empty directory" "" "$(app_list --isolate "$tree=full")"
"$A" run --isolate "$tree=full" python3.appv -c "
import os, shutil, sys
shutil.copytree('$work/pristine', sys.argv[1], dirs_exist_ok=True, symlinks=True)
for p in ['$tree'] + [os.path.join(r, n) for r, ds, fs in os.walk('$tree') for n in ds + fs]:
    os.chmod(p, 0o644 if os.path.isfile(p) else 0o755)" "$tree"
check "full: the probe runs" "$A" run --isolate "$tree=full" python3.appv -c "$probe_changes" "$tree"
same "full: the host tree is byte-for-byte unchanged" "$before" "$(host_list "$tree")"
same "full: the next run sees the app's own tree, changed" "$want" "$(app_list --isolate "$tree=full")"

# merged: the host is changed (the tree is not the package's); the sandbox holds nothing.
tree=$work/tree-merged
populate "$tree"
check "merged: the probe runs" "$A" run --isolate "$tree=merged" python3.appv -c "$probe_changes" "$tree"
same "merged: the host has every change" "$want" "$(host_list "$tree")"
same "merged: the app sees the host" "$want" "$(app_list --isolate "$tree=merged")"
same "merged: nothing of it is in the sandbox" "" "$(diff_under $PY "$tree")"

echo "== sandbox commands"
# The last launch's view may still linger (APPV_LINGER_MS, e2e linger.sh): the app is
# not running either way.
check "sandbox list shows the app" grep -qE "^$PY .* (stopped|idle \(pid [0-9]+\))$" <<<"$("$A" sandbox list)"
same "sandbox path" "$HOME/.local/share/appv/sandboxes/$PY" "$("$A" sandbox path $PY)"
status "sandbox path of an app that never ran" 66 "$A" sandbox path org.never.ran
status "sandbox diff of a bad app id" 64 "$A" sandbox diff ../etc
check "sandbox export" "$A" sandbox export $PY "$work/py-sandbox.tar.zst"
saved_diff=$("$A" sandbox diff $PY)
check "sandbox reset" "$A" sandbox reset $PY
tree=$work/tree-writecopy
same "after reset the app sees the pristine host tree" "$pristine" "$(app_list --isolate "$tree=writecopy")"
same "after reset sandbox diff is empty" "" "$("$A" sandbox diff $PY)"
status "import refuses to overwrite changes without --replace" 64 bash -c \
  "'$A' run python3.appv -c 'open(\"/etc/appv-e2e-x\", \"w\")' && '$A' sandbox import $PY '$work/py-sandbox.tar.zst'"
check "sandbox import --replace" "$A" sandbox import --replace $PY "$work/py-sandbox.tar.zst"
same "the imported sandbox holds what was exported" "$saved_diff" "$("$A" sandbox diff $PY)"
same "the app sees its imported changes" "$want" "$(app_list --isolate "$tree=writecopy")"
printf 'not a sandbox' > "$work/junk.tar.zst"
status "import of a file that is not an export" 65 "$A" sandbox import --replace $PY "$work/junk.tar.zst"
/usr/bin/python3 - "$work/evil.tar.zst" "$PY" <<'PYTHON'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in ((".appv-sandbox", f"id {sys.argv[2]}\n"), ("upper/../../escaped", "x\n")):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data.encode()))
PYTHON
status "import of an archive with '..' in a name" 65 "$A" sandbox import --replace $PY "$work/evil.tar.zst"
same "the refused imports changed nothing" "$saved_diff" "$("$A" sandbox diff $PY)"
check "refused imports left no staging directory" bash -c "! ls -A '$HOME/.local/share/appv/sandboxes' | grep -q '^\.import-'"

# A directory the app made unreadable (mode 000): root reads it anyway; a user's diff
# lists everything else, names it with '?', says why on stderr and exits 74.
"$A" run python3.appv -c "import os; d = os.path.expanduser('~/closed'); os.makedirs(d); open(d + '/inside', 'w').close(); os.chmod(d, 0)" ||
  bad "the app makes ~/closed unreadable"
rc=0
out=$("$A" sandbox diff $PY 2>"$work/diff-err") || rc=$?
if [[ $(id -u) -eq 0 ]]; then
  same "sandbox diff of a directory the app made unreadable: root reads it (status 0)" 0 "$rc"
  check "  and lists what is in it" grep -qx "A $HOME/closed/inside" <<<"$out"
else
  same "sandbox diff of a directory the app made unreadable: status 74" 74 "$rc"
  check "  it is named with '?'" grep -qx "? $HOME/closed/" <<<"$out"
  check "  stderr says why" grep -qF "cannot list $HOME/closed/ in the sandbox: the app made it unreadable" "$work/diff-err"
fi
check "  the app's other changes are listed all the same" grep -qx "M $work/tree-writecopy/mod.txt" <<<"$out"

echo "== --temp"
"$A" sandbox reset $PY >/dev/null
tree=$work/tree-writecopy
populate "$tree"
before=$(host_list "$tree")
check "--temp: the probe runs" "$A" run --temp --isolate "$tree=writecopy" python3.appv -c "$probe_changes" "$tree"
same "--temp: the host is unchanged" "$before" "$(host_list "$tree")"
same "--temp: the sandbox is unchanged" "" "$("$A" sandbox diff $PY)"
check "--temp: no temporary sandbox is left" bash -c "! ls -A '$HOME/.local/share/appv/sandboxes' | grep -q '^\.temp-'"
status "--temp: the app's status passes through" 3 "$A" run --temp python3.appv -c 'raise SystemExit(3)'
status "--temp: a signal's death passes through" 143 "$A" run --temp python3.appv -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'
check "the stub knows --appv-temp" grep -q -- --appv-temp <<<"$(./jqx.appv --appv-help)"

echo "== two instances at once share one view"
tree=$work/tree-shared
populate "$tree"
both='import os, sys, time
me, other, d = sys.argv[1], sys.argv[2], sys.argv[3]
open(f"{d}/{me}-started", "w").close()
for _ in range(400):
    if os.path.exists(f"{d}/{other}-started"):
        break
    time.sleep(0.05)
else:
    sys.exit(f"{me}: never saw {other}")
fd = os.open(f"{d}/log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
for i in range(200):
    os.write(fd, f"{me} {i}\n".encode())
'
"$A" run --isolate "$tree=writecopy" python3.appv -c "$both" a b "$tree" & first=$!
"$A" run --isolate "$tree=writecopy" python3.appv -c "$both" b a "$tree"; second_rc=$?
wait $first; first_rc=$?
same "both instances completed (each saw the other's file)" "0 0" "$first_rc $second_rc"
same "all 400 writes are kept" "400" "$("$A" run --isolate "$tree=writecopy" python3.appv -c "print(len(open('$tree/log').readlines()))")"
check "none reached the host" test ! -e "$tree/log"
"$A" run --isolate "$tree=writecopy" python3.appv -c 'import time; time.sleep(4)' & sleeper=$!
sleep 1.5
status "reset refuses while the app runs" 75 "$A" sandbox reset $PY
status "a launch with other rules is refused while it runs" 75 "$A" run --isolate "$tree=full" python3.appv -c 'pass'
same "a launch with the same rules joins it" "joined" "$("$A" run --isolate "$tree=writecopy" python3.appv -c 'print("joined")')"
wait $sleeper

finish
