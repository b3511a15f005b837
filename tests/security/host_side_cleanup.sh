#!/usr/bin/env bash
# The commands that delete what an app wrote or a package brought (sandbox rm/reset,
# uninstall --delete-data, cache prune, the removal of --temp sandboxes) and the install
# record uninstall trusts, fed what a hostile app or package leaves behind:
#  - a manifest `version` holding newlines (lines of its own in the install record:
#    `file P`, `previous P`), which uninstall and updates then unlink;
#  - nested directories of mode 0000 and a directory chain deeper than PATH_MAX in a
#    sandbox (removal must finish, or say so without breaking every later --temp launch);
#  - a package whose paths are near the 4,000-byte limit (cache prune);
#  - a sandbox rm while a --backend ptrace launch runs (refused, 75, as for ns);
#  - root given a HOME that belongs to a user (install/uninstall refuse it, 77, as the
#    cache and sandboxes do).
# The files aimed at are hashed before and after.
source "$1/lib.sh"
uid=$(id -u)
appv_has_run
pack_python3
victims=$work/victims
mkdir -p "$victims"
for n in 1 2; do echo "precious $n" > "$victims/v$n"; done
snapshot victims "$victims"
SB=$HOME/.local/share/appv/sandboxes
# status_short NAME EXPECTED COMMAND...: like status, but a failure shows only the
# start of stderr (the paths of a deep tree run to kilobytes).
status_short() {
  local name=$1 want=$2 err rc; shift 2
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [[ $rc -eq $want ]]; then ok "$name"; else bad "$name: status $rc, expected $want (stderr: ${err:0:200}...)"; fi
}
# Each part starts without sandboxes, whatever an earlier part could not remove
# (GNU rm walks by descriptors; 0000 directories are opened up first).
clean_sandboxes() { chmod -R u+rwx "$SB" 2>/dev/null; rm -rf "$SB"; }

echo "== a manifest version with newlines in the install record"
id=org.x.RecordLines
mk() { cat > "$work/$1.toml" <<TOML
id = "$id"
version = "$2"
[entry.true]
path = "/bin/true"
TOML
  "$A" pack -q -m "$work/$1.toml" -o "$work/$1.appv"; }
mk rl1 "1\\nfile $victims/v1\\nprevious $victims/v2"
mk rl2 "2"
sys=()
if [[ $uid -eq 0 ]]; then
  sys=(--system)
  echo "precious" > /usr/local/share/appv-test-record-victim
  snapshot system /usr/local/share/appv-test-record-victim
  mk rl3 "3\\nfile /usr/local/share/appv-test-record-victim"
fi
# Install may refuse such a version (65); whatever it does, nothing else is removed.
"$A" install -q rl1.appv >/dev/null 2>&1 && "$A" install -q rl2.appv >/dev/null 2>&1
"$A" uninstall -q "$id" >/dev/null 2>&1
unchanged victims
if [[ $uid -eq 0 ]]; then
  "$A" install -q "${sys[@]}" rl3.appv >/dev/null 2>&1 && "$A" uninstall -q "${sys[@]}" "$id" >/dev/null 2>&1
  unchanged system
  rm -f /usr/local/share/appv-test-record-victim
fi

echo "== nested 0000 directories in a sandbox"
clean_sandboxes
plant_nest='
import os
h = os.environ["HOME"]
os.makedirs(h + "/.nest/a/b/c"); open(h + "/.nest/a/b/c/f", "w").write("x")
for d in ("/.nest/a/b/c", "/.nest/a/b", "/.nest/a"): os.chmod(h + d, 0)'
box=$SB/org.python.python3
"$A" run -q python3.appv -c "$plant_nest"
status_short "sandbox list with 0000 directories" 0 "$A" sandbox list
status_short "sandbox reset removes them" 0 "$A" sandbox reset org.python.python3
check "nothing of them left after reset" bash -c "! find '$box/upper' -path '*/.nest*' 2>/dev/null | grep -q ."
"$A" run -q python3.appv -c "$plant_nest"
status_short "sandbox rm removes them" 0 "$A" sandbox rm org.python.python3
check "the sandbox is gone" test ! -e "$box"
"$A" run -q --temp python3.appv -c "$plant_nest" >/dev/null 2>&1
status_short "a --temp launch after one that left 0000 directories" 0 "$A" run -q --temp python3.appv -c pass
check "no --temp sandbox left behind" test -z "$(ls -A "$SB" 2>/dev/null | grep '^\.temp-')"

echo "== a directory chain deeper than PATH_MAX in a sandbox"
clean_sandboxes
plant_deep='
import os
os.chdir(os.environ["HOME"]); os.mkdir(".deep"); os.chdir(".deep")
for i in range(120):
    n = "d%03d" % i + "x" * 60
    os.mkdir(n); os.chdir(n)
open("leaf", "w").write("leaf")'
"$A" run -q python3.appv -c "$plant_deep"
status_short "sandbox rm of a deep tree" 0 "$A" sandbox rm org.python.python3
check "nothing left in the sandboxes directory" test -z "$(ls -A "$SB" 2>/dev/null)"
"$A" run -q --temp python3.appv -c "$plant_deep" >/dev/null 2>&1
status_short "a --temp launch after one that left a deep tree" 0 "$A" run -q --temp python3.appv -c pass

echo "== cache prune of a package with paths near the 4,000-byte limit"
python3 - "$work/dp" <<'PY'
import os, sys
os.makedirs(sys.argv[1]); os.chdir(sys.argv[1]); l = len(sys.argv[1]); i = 0
while l + 101 < 3990:
    n = "d%02d" % i + "y" * 96; os.mkdir(n); os.chdir(n); l += len(n) + 1; i += 1
last = 3990 - l - len("/leaf") - 1
os.mkdir("z" * last); os.chdir("z" * last); open("leaf", "w").write("x")
PY
cat > deep.toml <<TOML
id = "org.x.DeepPaths"
version = "1"
[entry.true]
path = "/bin/true"
[files]
include = ["$work/dp/**"]
TOML
"$A" pack -q -m deep.toml -o deep.appv
status_short "the deep package runs" 0 "$A" run deep.appv
status_short "cache prune --all removes its tree" 0 "$A" cache prune --all
status_short "the deep package runs again after the prune" 0 "$A" run deep.appv
status_short "a second prune" 0 "$A" cache prune --all
same "no interrupted extraction left" 0 "$("$A" cache --json | jq -r .temporaries.count)"

echo "== sandbox rm while a --backend ptrace launch runs"
clean_sandboxes
"$A" run -q --backend ptrace python3.appv -c 'import time; open("/etc/appv-test-ptrace", "w"); time.sleep(4)' & app=$!
for _ in $(seq 1 50); do [[ -e $box/upper/etc/appv-test-ptrace ]] && break; sleep 0.1; done
status "sandbox rm refused while it runs" 75 "$A" sandbox rm org.python.python3
wait $app
"$A" sandbox rm -q org.python.python3 >/dev/null 2>&1

if [[ $uid -eq 0 ]] && id appv-e2e >/dev/null 2>&1; then
  echo "== root with a HOME that belongs to a user"
  rm -rf "$victims"; mkdir -p "$victims"; echo "precious" > "$victims/v1"
  snapshot user-home-victim "$victims"
  uhome=$work/user-home
  mkdir -p "$uhome/.local/share/appv/installed"
  printf 'id org.x.Forged\nversion 1\npackage /nonexistent\nfile %s\n' "$victims/v1" > "$uhome/.local/share/appv/installed/org.x.Forged.record"
  chown -R appv-e2e "$uhome"
  status "root uninstall reading a user's install record" 77 env HOME="$uhome" "$A" uninstall -q org.x.Forged
  status "root install into a user's directories" 77 env HOME="$uhome" "$A" install -q rl2.appv
  unchanged user-home-victim
  rm -rf "$uhome"
fi
clean_sandboxes
finish
