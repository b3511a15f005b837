#!/usr/bin/env bash
# A --temp launch whose first appv process is killed outright (SIGKILL: the OOM
# killer, `kill -9`, a service manager stopping it) while the app runs on, with either
# backend: the throw-away sandbox stays the app's until the app ends. The next --temp
# launch, which removes what killed launches left, leaves it alone; the app goes on
# writing to it; once the app has ended, a later launch removes it.
# Run alone: ctest -R e2e_user_temp_after_kill
source "$1/lib.sh"
appv_has_run
pack_python3
SB=$HOME/.local/share/appv/sandboxes
# The app: waits for the word in the working directory (merged: the host's own), then
# writes into its sandbox ($HOME's dotfiles are writecopy) and ends.
app='import os, time
while not os.path.exists("go-on"): time.sleep(0.1)
open(os.environ["HOME"] + "/.late", "w").write("written after appv was killed")'
# temp_of PID: the throw-away sandbox of the launch whose first process is PID.
temp_of() { echo "$SB/.temp-org.python.python3-$1"; }
wait_for() { for _ in $(seq 200); do eval "$1" && return 0; sleep 0.1; done; return 1; }
# Whether the app runs. Its words are in appv's command line too, and in that of the
# processes appv forks (its init, the supervisor), which keep appv's name: a match by
# command line alone found the launcher before it had started the app, and killing it
# then left nothing running (a test that failed under load).
app_running() {
  local p
  for p in $(pgrep -u "$(id -u)" -f 'written after appv was killed'); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) != appv ]] && return 0
  done
  return 1
}

for backend in ns ptrace; do
  echo "== --backend $backend"
  "$A" run -q --temp --backend "$backend" python3.appv -c "$app" & first=$!
  temp=$(temp_of "$first")
  check "$backend: the launch made its sandbox" wait_for "[[ -d '$temp/upper' ]]"
  check "$backend: the app started" wait_for app_running
  kill -9 "$first"
  wait "$first" 2>/dev/null
  status "$backend: another --temp launch runs meanwhile" 0 "$A" run -q --temp python3.appv -c pass
  check "$backend: it left the running app's sandbox alone" test -d "$temp/upper"
  # The app writes into the sandbox that is still its own, not into one removed
  # under it (the write would fail, or land where nobody looks).
  touch go-on
  check "$backend: the app wrote to its sandbox after appv was killed" \
    wait_for "[[ -f '$temp/upper$HOME/.late' ]]"
  check "$backend: the app has ended" wait_for "! app_running"
  # appv's own processes of that launch (its init, the holder of the sandbox's lock)
  # end after the app, and the sandbox is in use until they have: a slower build
  # (the sanitizers) let the next launch in before.
  wait_for "! pgrep -u $(id -u) -f 'written after appv was killed' >/dev/null"
  status "$backend: a later --temp launch runs" 0 "$A" run -q --temp python3.appv -c pass
  check "$backend: and removes the sandbox of the app that ended" test ! -e "$temp"
  rm -f go-on
done
"$A" sandbox rm -q org.python.python3 >/dev/null 2>&1
finish
