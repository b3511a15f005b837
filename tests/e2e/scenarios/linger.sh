#!/usr/bin/env bash
# An idle view lingers: once the app has ended, the init of its PID namespace keeps the
# view for APPV_LINGER_MS, and the next launch of the same view joins it (the same PID
# namespace) instead of building it again; a launch that joins restarts the period.
# After the period the instance is gone (no process of its namespace left) and the next
# launch builds. A launch with other rules, and `sandbox reset`, end an idle instance at
# once; one where the app still runs refuses them as before. APPV_LINGER_MS=0 is the
# behaviour before lingering. The host's files and mount table stay as they were.
# Run alone: ctest -R e2e_user_linger (and e2e_root_linger).
source "$1/lib.sh"
packed "$work/sh.appv" /bin/bash /usr/bin/readlink /bin/sleep /bin/cat || bad "pack bash"
APP=bash

mkdir -p "$work/data"
echo host > "$work/data/host-file"
snapshot host "$work/data" /etc/passwd /etc/hostname
mounts() { awk '{print $5, $9, $10}' /proc/self/mountinfo | LC_ALL=C sort; }
mounts_before=$(mounts)

# The PID namespace the app runs in, as the kernel names it (pid:[inode]).
ns_of_run() { "$A" run "$@" "$work/sh.appv" -c 'readlink /proc/self/ns/pid'; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# hold_ns PID: keep PID's namespace open until the script ends. A freed namespace's inode
# number may be given to the next one, and the checks that tell namespaces apart by it
# would fail by chance.
hold_ns() { local fd; exec {fd}<"/proc/$1/ns/pid"; }
instance_pid() { "$A" sandbox list --json | jq -r ".[] | select(.app == \"$APP\") | .pid"; }
# alive PID: the process exists and is not a zombie.
alive() { [[ -r /proc/$1/stat ]] && ! awk '{exit !($3 == "Z" || $3 == "X")}' "/proc/$1/stat" 2>/dev/null; }
# Processes of the host that are in the PID namespace NS (zombies, which run nothing and
# wait for whoever adopted them to reap them, are not counted).
members() {
  local p n=0
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$1" ]] && alive "${p#/proc/}" && n=$((n + 1))
  done
  echo "$n"
}
# gone_within TENTHS PID NS: within TENTHS tenths of a second, the instance's init has
# ended and nothing of its namespace is left.
gone_within() {
  local i
  for ((i = 0; i <= $1; i++)); do
    if ! alive "$2" && [[ $(members "$3") == 0 ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}
holds() { if jq -e "$3" >/dev/null <<<"$2"; then ok "$1"; else bad "$1: $2"; fi; }
decision() { "$A" run --dry-run --json "$@" "$work/sh.appv" | jq -r '.start.decision + " " + (.start.running_pid | tostring)'; }
# Whether the launch's plan took the namespace probe: a launch that joins does not.
probed() { "$A" run --dry-run --json "$@" "$work/sh.appv" | jq -r 'if .backend.probe == null then "not probed" else "probed" end'; }

echo "== a launch within the linger period joins the idle view"
export APPV_LINGER_MS=5000
t0=$(ms)
ns1=$(ns_of_run)
took=$(($(ms) - t0))
check "appv run returns as soon as the app ends, not after the linger ($took ms)" test "$took" -lt 2500
pid1=$(instance_pid)
hold_ns "$pid1"
check "the instance lingers: its init ($pid1) lives" alive "$pid1"
same "its init is the one of the namespace the app ran in" "$ns1" "$(readlink "/proc/$pid1/ns/pid")"
same "nothing but its init is left in it" 1 "$(members "$ns1")"
holds "sandbox list --json: idle, not running, with the init's pid" "$("$A" sandbox list --json)" \
  ".[0].idle == true and .[0].running == false and .[0].pid == $pid1"
check "sandbox list says idle" grep -q "^$APP .* idle (pid $pid1)$" <<<"$("$A" sandbox list)"
same "--dry-run: the launch would join it" "join $pid1" "$(decision)"
same "a launch that joins takes no namespace probe" "not probed" "$(probed)"
check "--dry-run says why" grep -q "^backend: ns (.*; not probed: the launch joins the namespaces of a view that exists)$" \
  <<<"$("$A" run --dry-run "$work/sh.appv")"
check "--dry-run says the instance is idle" grep -q "^start: *join the view of the idle instance (pid $pid1)$" \
  <<<"$("$A" run --dry-run "$work/sh.appv")"
same "a second launch runs in the same PID namespace" "$ns1" "$(ns_of_run)"
same "the same init holds it" "$pid1" "$(instance_pid)"

echo "== after the period the view is gone"
check "the instance ends after the period, leaving no process of its namespace" gone_within 150 "$pid1" "$ns1"
same "sandbox list: stopped" "false false null" \
  "$("$A" sandbox list --json | jq -r '.[0] | "\(.running) \(.idle) \(.pid)"')"
same "--dry-run: the next launch builds" "build null" "$(decision)"
same "a launch that builds takes the probe" "probed" "$(probed)"
ns2=$(ns_of_run)
check "the next launch builds a new view (another namespace: $ns2)" test "$ns2" != "$ns1"

echo "== a launch that joins restarts the period"
export APPV_LINGER_MS=3000
pid2=$(instance_pid)
sleep 2
same "2 s after the app: a launch joins" "$ns2" "$(ns_of_run)"
sleep 2
same "4 s after the first app, 2 s after the joined one: a launch still joins" "$ns2" "$(ns_of_run)"
check "and the instance ends once idle for the period" gone_within 150 "$pid2" "$ns2"

echo "== a launch with other rules during the linger builds its own view"
export APPV_LINGER_MS=5000
ns3=$(ns_of_run)
pid3=$(instance_pid)
hold_ns "$pid3"
same "the app sees the host's file in the default view" host "$("$A" run "$work/sh.appv" -c "cat '$work/data/host-file'")"
same "--dry-run: the idle instance would be ended" "replace-idle $pid3" "$(decision --isolate "$work/data=full")"
same "one that would end the idle instance and build probes (after planning a join it could not make)" probed \
  "$(probed --isolate "$work/data=full")"
check "--dry-run says so" grep -q "^start: *end the idle instance (pid $pid3), .* and build the view$" \
  <<<"$("$A" run --dry-run --isolate "$work/data=full" "$work/sh.appv")"
out=$("$A" run --isolate "$work/data=full" "$work/sh.appv" -c \
  "readlink /proc/self/ns/pid; cat '$work/data/host-file' 2>/dev/null || echo hidden")
same "it runs with its rules applied: the host's file is hidden" hidden "$(tail -1 <<<"$out")"
check "in a namespace of its own" test "$(head -1 <<<"$out")" != "$ns3"
check "the idle instance is gone, nothing of its namespace left" gone_within 10 "$pid3" "$ns3"
same "the launch after it, with the first rules, ends that one in turn and sees the host's file" host \
  "$("$A" run "$work/sh.appv" -c "cat '$work/data/host-file'")"

echo "== a launch with the ptrace backend ends an idle view first"
"$A" run "$work/sh.appv" -c true || bad "a launch"
pid6=$(instance_pid)
ns6=$(readlink "/proc/$pid6/ns/pid")
check "the view lingers" alive "$pid6"
same "the ptrace launch runs" ok "$("$A" run --backend ptrace "$work/sh.appv" -c 'echo ok')"
check "and the idle view is gone (the ptrace backend writes the upper directory its overlay held)" \
  gone_within 10 "$pid6" "$ns6"

echo "== sandbox reset during the linger"
"$A" run "$work/sh.appv" -c 'echo changed > "$HOME/.linger-probe"' || bad "write in the sandbox"
pid4=$(instance_pid)
hold_ns "$pid4"
ns4=$(readlink "/proc/$pid4/ns/pid")
check "the instance is idle before the reset" alive "$pid4"
t0=$(ms)
status "sandbox reset works at once" 0 "$A" sandbox reset "$APP"
took=$(($(ms) - t0))
check "without waiting for the linger ($took ms)" test "$took" -lt 2500
check "the idle instance is gone when reset returns" gone_within 1 "$pid4" "$ns4"
same "the next launch starts clean" absent \
  "$("$A" run "$work/sh.appv" -c 'cat "$HOME/.linger-probe" 2>/dev/null || echo absent')"
check "in a new namespace" test "$(ns_of_run)" != "$ns4"
check "the host's home never saw the write" test ! -e "$HOME/.linger-probe"

echo "== an instance where the app still runs is refused as before"
"$A" run "$work/sh.appv" -c 'sleep 4' & sleeper=$!
for _ in $(seq 50); do "$A" sandbox list 2>/dev/null | grep -q "running (pid" && break; sleep 0.1; done
pid5=$(instance_pid)
ns5=$(readlink "/proc/$pid5/ns/pid")
err=$("$A" sandbox reset "$APP" 2>&1); rc=$?
same "sandbox reset refuses while the app runs (75)" 75 "$rc"
check "naming the running pid" grep -q "is running (pid $pid5)" <<<"$err"
status "a launch with other rules is refused while it runs" 75 "$A" run --isolate "$work/data=full" "$work/sh.appv" -c true
wait "$sleeper"
status "sandbox rm once it is idle" 0 "$A" sandbox rm "$APP"
check "the instance was ended by it" gone_within 1 "$pid5" "$ns5"

echo "== a view over a package tree since removed is not joined"
ns8=$(ns_of_run)
pid8=$(instance_pid)
hold_ns "$pid8"
rm -rf "$HOME/.cache/appv"
ns9=$(ns_of_run)
check "the launch after the cache was removed by hand builds a view of its own ($ns9)" test -n "$ns9" -a "$ns9" != "$ns8"
check "having ended the idle one" gone_within 10 "$pid8" "$ns8"
status "sandbox rm ends the view that lingers now" 0 "$A" sandbox rm -q "$APP"

echo "== a launch from another working directory does not join with the first one's grant"
# Each launch's working directory is merged from the host in its view; in the first
# launch's view the second one's (below ~/.cwd, writecopy as dotfiles are) is only
# writecopy, and the first one's stays merged. An idle view gives way; a running one is joined as before.
mkdir -p "$HOME/.cwd/a" "$HOME/.cwd/b"
export APPV_LINGER_MS=5000
(cd "$HOME/.cwd/a" && "$A" run "$work/sh.appv" -c true) || bad "the launch from a"
pida=$(instance_pid)
same "from b, the dry run ends the idle view of a's launch" "replace-idle $pida" "$(cd "$HOME/.cwd/b" && decision)"
(cd "$HOME/.cwd/b" && "$A" run "$work/sh.appv" -c "echo b > $HOME/.cwd/b/own; echo a > $HOME/.cwd/a/other") ||
  bad "the launch from b"
same "the launch from b writes its own working directory on the host" b "$(cat "$HOME/.cwd/b/own" 2>&1)"
check "and not a's, which its view shows writecopy" test ! -e "$HOME/.cwd/a/other"
status "sandbox rm ends the view that lingers now" 0 "$A" sandbox rm -q "$APP"
rm -rf "$HOME/.cwd"

echo "== APPV_LINGER_MS=0: the view ends with the app"
export APPV_LINGER_MS=0
ns6=$(ns_of_run)
same "no instance is left once appv run returns" "build null" "$(decision)"
same "sandbox list: stopped" "false null" "$("$A" sandbox list --json | jq -r '.[0] | "\(.running) \(.pid)"')"
# As before lingering, appv run returns before the kernel has torn the view down.
check "the view is torn down right after" gone_within 50 0 "$ns6"
status "APPV_LINGER_MS must be a number" 64 env APPV_LINGER_MS=soon "$A" run "$work/sh.appv" -c true
unset APPV_LINGER_MS

echo "== the default period"
ns7=$(ns_of_run)
pid7=$(instance_pid)
same "without APPV_LINGER_MS the instance lingers too" "$ns7" "$(readlink "/proc/$pid7/ns/pid" 2>/dev/null)"
check "and ends within a few seconds (2 s by default)" gone_within 100 "$pid7" "$ns7"

unchanged host
same "the host's mount table is unchanged" "$mounts_before" "$(mounts)"
"$A" sandbox rm -q "$APP" >/dev/null 2>&1
finish
