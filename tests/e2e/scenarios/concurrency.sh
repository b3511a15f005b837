#!/usr/bin/env bash
# Concurrent cold launches, launches killed during extraction, and a cache on a
# full disk.
# Run alone: ctest -R e2e_user_concurrency (and e2e_root_concurrency, as root).
source "$1/lib.sh"
pack_python3 || bad "pack python3"

echo "== concurrency, crashes and a full disk"
rm -rf "$HOME/.cache/appv"
for i in $(seq 16); do ("$A" run python3.appv -c 'print(1)' > "cold.$i" 2>&1; echo $? >> "cold.$i") & done
wait
good=0
for i in $(seq 16); do
  if [[ $(cat "cold.$i") == $'1\n0' ]]; then good=$((good + 1)); else echo "launch $i said: $(head -c 800 "cold.$i")"; fi
done
same "16 cold launches at once all succeed" 16 "$good"
same "they share one cache entry" 1 "$(ls "$HOME/.cache/appv" | grep -cv '\.lock$')"
check "and leave no temporary directory" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"

rm -rf "$HOME/.cache/appv"
for i in $(seq 8); do
  "$A" run python3.appv -c pass & victim=$!
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$victim" 2>/dev/null
  wait "$victim" 2>/dev/null
done
same "after SIGKILLs during extraction, the next launch works" "ok" "$("$A" run python3.appv -c 'print("ok")')"
check "and no temporary directory is left" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"
same "and there is one complete cache entry" 1 "$(ls "$HOME/.cache/appv" | grep -cv '\.lock$')"

# A cache on a 4 MB tmpfs, in a private mount namespace, for a 70 MB package.
mkdir -p small-cache
ns=(unshare -m --propagation private)
[[ $(id -u) -ne 0 ]] && ns=(unshare -Urm --propagation private)
full=$("${ns[@]}" bash -c 'mount -t tmpfs -o size=4m tmpfs "$1" || exit 99
  XDG_CACHE_HOME=$1 "$2" run "$3" -c pass 2>"$1/../full.err"; echo "status $?"
  echo "left: $(ls -A "$1/appv" | tr "\n" " ")"' full "$work/small-cache" "$A" python3.appv)
same "a full cache disk fails with an I/O status" "status 74" "$(head -1 <<<"$full")"
check "with one clear line" grep -q "^appv: not enough space in '$work/small-cache/appv'" full.err
same "leaving only the lock file" "left: $(payload_digest python3.appv).lock " "$(tail -1 <<<"$full")"

finish
