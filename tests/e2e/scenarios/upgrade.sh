#!/usr/bin/env bash
# The sandbox outlives an upgrade of the package (same app id, newer version).
# Run alone: ctest -R e2e_user_upgrade (and e2e_root_upgrade, as root).
source "$1/lib.sh"
PY=org.python.python3
pack_python3 || bad "pack python3"

echo "== the sandbox outlives an upgrade of the package"
sed 's/^version = .*/version = "3.11-next"/' "$M/python3.toml" > python3-next.toml
check "pack a newer version of the same app id" "$A" pack -q -m python3-next.toml -o python3-next.appv
"$A" run python3.appv -c 'open("/etc/appv-upgrade-probe", "w").write("written by the old version")'
same "the new version sees the old version's changes" "written by the old version" \
  "$("$A" run python3-next.appv -c 'print(open("/etc/appv-upgrade-probe").read())')"
check "sandbox list shows the version last run" grep -q "^$PY  *3.11-next " <<<"$("$A" sandbox list)"

if [[ $(id -u) -eq 0 ]]; then
  # The ptrace backend remembers which layer lists a merged directory while its layers
  # stay as they were (vfs/path_translator.h); a new version's package is another layer.
  echo "== an upgrade's new files are listed under the ptrace backend"
  d=/opt/appv-e2e-upgrade-$$
  rm -rf "$d" && mkdir -p "$d" && for f in a b c new; do echo "$f" > "$d/$f"; done
  for v in 1 2; do
    extra=""; [[ $v == 2 ]] && extra=", \"$d/new\""
    printf 'id = "test.upgrade-listing"\nversion = "%s"\n[entry.ls]\npath = "/usr/bin/ls"\n[files]\ninclude = ["%s"%s]\n' \
      "$v" "$d/a" "$extra" > "listing-$v.toml"
    "$A" pack -q -m "listing-$v.toml" -o "listing-$v.appv" || bad "pack listing-$v"
  done
  rm "$d/new"
  # Remembered only once every layer directory is a second old, on the second launch.
  sleep 1.1; "$A" run --backend ptrace listing-1.appv -- "$d" >/dev/null
  sleep 1.1; "$A" run --backend ptrace listing-1.appv -- "$d" >/dev/null
  same "the new version's file shows in its directory's listing" "a b c new" \
    "$("$A" run --backend ptrace listing-2.appv -- "$d" | xargs)"
  rm -rf "$d"
fi

finish
