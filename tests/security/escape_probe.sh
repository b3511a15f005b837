#!/usr/bin/env bash
# A hostile app (probe.c) tries every way out it knows from inside its view: typing
# into the user's terminal, the keyring, mounting, new user namespaces, kernel
# surfaces, capabilities, host processes (signals, ptrace, /proc/<pid>/root), kernel
# files uid 0 may write without a capability (sysctls, sysrq, /sys), raw devices. Every attempt must print "blocked", in the default view and
# in a full one, and the host files it aims at stay as they were. Ctrl-C, exit
# statuses and signal deaths still pass through the hardened launch.
# Run alone: ctest -R security_user_escape_probe (and security_root_escape_probe).
source "$1/lib.sh"
command -v script >/dev/null || skip "script (util-linux) is needed for a terminal"
# Not through the pack cache: the probe's path is inside this run's scratch directory.
"$A" pack -q "$work/security_probe" -o "$work/probe.appv" || bad "pack the probe"
packed "$work/sh.appv" /bin/bash /bin/sleep || bad "pack bash"

snapshot aimed /etc/passwd /etc/hostname /etc/shadow

# One run of the probe under a terminal; prints its lines without carriage returns.
# It is given this shell's pid: a host process it must not reach.
probe() { script -qec "$(printf '%q ' "$A" run -q "$@" "$work/probe.appv" "$$")" /dev/null </dev/null 2>&1 | tr -d '\r'; }

for view in default full; do
  if [[ $view == full ]]; then out=$(probe "${FULL[@]}"); else out=$(probe); fi
  lines=$(grep -cE '^(blocked|ESCAPED) ' <<<"$out")
  check "$view: the probe ran its attempts ($lines)" test "$lines" -ge 43
  [[ $lines -ge 43 ]] || printf '%s\n' "$out" | head -5
  while read -r line; do
    case $line in
      blocked\ *) ok "$view: $line" ;;
      ESCAPED\ *) bad "$view: $line" ;;
    esac
  done <<<"$out"
done
# The terminal attempts pushed nothing: a TIOCSTI that worked would leave input
# behind that the shell around the probe runs; the file it would create is absent.
unchanged aimed

# The app's PID namespace: a second launch joins the first one's processes, and a
# process the app left running keeps the instance (and its view) for later launches.
procs='cat /proc/[0-9]*/comm 2>/dev/null'
"$A" run "$work/sh.appv" -c 'sleep 5' &
first=$!
sleep 1
same "a second launch sees the first one's processes" 1 "$("$A" run "$work/sh.appv" -c "$procs" | grep -cx sleep)"
wait "$first"
status "an app that leaves a process running exits at once" 0 "$A" run "$work/sh.appv" -c 'sleep 4 >/dev/null 2>&1 & exit 0'
same "a later launch joins the process it left" 1 "$("$A" run "$work/sh.appv" -c "$procs" | grep -cx sleep)"

# Exit statuses and signal deaths pass through the filter and the dropped capabilities.
status "exit status passes through" 7 "$A" run "$work/sh.appv" -c 'exit 7'
status "a death by SIGTERM passes through" 143 "$A" run "$work/sh.appv" -c 'kill -TERM $$'

# Ctrl-C: SIGINT to the foreground process group, with job control on as in a shell.
ctrl_c() {
  set -m
  "$A" run "$@" "$work/sh.appv" -c 'sleep 30; exit 3' &
  local pid=$! rc
  sleep 1
  kill -INT -- "-$pid"
  wait "$pid"; rc=$?
  set +m
  echo "$rc"
}
same "Ctrl-C ends the app" 130 "$(ctrl_c)"
same "Ctrl-C ends a --temp app" 130 "$(ctrl_c --temp)"
finish
