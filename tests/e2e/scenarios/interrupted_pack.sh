#!/usr/bin/env bash
# An interrupted pack leaves nothing behind: SIGINT, SIGTERM and SIGHUP at several
# moments remove the half-written package and end appv by that signal; a pack killed
# outright (SIGKILL) leaves its temporary, which the next pack of the same output
# removes, without touching the temporary of a pack still running.
# Run alone: ctest -R e2e_user_interrupted_pack
source "$1/lib.sh"
# The slowest ordinary pack here: python3's closure at zstd's highest level (seconds).
# A background job of a script starts with SIGINT ignored; a terminal's Ctrl-C is not.
# It runs with `slow_pack OUT &`: exec makes $! appv itself, not a subshell.
slow_pack() { exec env --default-signal=INT,QUIT "$A" pack -q /usr/bin/python3 --level 19 -o "$1"; }
# What is in out/ besides the file the test keeps there.
leftovers() { ls -A "$work/out" | grep -vx keep | tr '\n' ' ' | sed 's/ $//'; }
mkdir -p out
echo keep > out/keep

echo "== interrupted by a signal"
for sig in INT TERM HUP; do
  for delay in 0.5 2; do
    slow_pack out/py.appv &
    pid=$!
    sleep "$delay"
    kill -s "$sig" "$pid"
    wait "$pid"
    rc=$?
    if [[ $rc -eq 0 ]]; then  # it finished first: then it must be whole
      check "SIG$sig after ${delay}s: the pack had finished, and verifies" "$A" verify out/py.appv
      rm -f out/py.appv
    else
      same "SIG$sig after ${delay}s: appv ends by the signal" "$((128 + $(kill -l "$sig")))" "$rc"
    fi
    same "SIG$sig after ${delay}s: nothing is left beside the output" "" "$(leftovers)"
  done
done

# wait_for_temp PID: until that pack's temporary exists (it is made once the files are
# collected; on a loaded machine that takes a while).
wait_for_temp() { for _ in $(seq 300); do compgen -G "$work/out/.py.appv.appv-tmp-$1-*" >/dev/null && return 0; sleep 0.1; done; return 1; }

echo "== killed outright, then packed again"
slow_pack out/py.appv &
pid=$!
wait_for_temp "$pid"
kill -KILL "$pid"
wait "$pid"
stale=$(leftovers)
check "SIGKILL leaves its temporary (what the next pack must clean: '$stale')" grep -q '^\.py\.appv\.appv-tmp-' <<<"$stale"
# A pack still running beside it keeps its own temporary and finishes.
slow_pack out/py.appv &
running=$!
check "a pack is running beside the next one, its temporary made" wait_for_temp "$running"
check "the next pack of the same output succeeds" "$A" pack -q /usr/bin/jq -o out/py.appv
same "and removed what the killed one left" "" "$(leftovers | tr ' ' '\n' | grep -vx py.appv | grep -v "appv-tmp-$running-" || true)"
wait "$running"
same "the pack that was running meanwhile finished" 0 "$?"
check "and its package verifies" "$A" verify out/py.appv
same "nothing else is left" "py.appv" "$(leftovers)"
finish
