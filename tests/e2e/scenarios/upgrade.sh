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

finish
