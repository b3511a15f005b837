#!/usr/bin/env bash
# The user's terminal after the app (containment, case 2 and its kind): a process the
# app leaves running (terminal_thief.c, SIGHUP ignored) waits until appv has returned
# and the user's shell has its prompt again, then tries to become the terminal's
# foreground process group and to read what the user types next. In every way of
# launching (appv run in the default and a full view, --temp, a launch that joins a
# running instance, the self-executing package) it must get neither, and the user's
# shell gets the line. The relay that makes this so must keep the terminal usable:
# input and output, the window size and its changes, Ctrl-C, Ctrl-Z with fg and bg,
# exit statuses, the terminal's settings given back. terminal_session.py is the user
# at the terminal (an interactive bash in a pseudo-terminal of the test's own).
# Run alone: ctest -R security_user_terminal_takeover (and security_root_...).
source "$1/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to play the user at a terminal"
T=$work/terminal_session.py
packed "$work/sh.appv" /bin/bash /bin/sleep /bin/stty /usr/bin/tty /bin/ls || bad "pack bash"

# One launch of the thief; the secret typed afterwards must reach the shell only.
# COMMAND: the command line typed at the prompt (the report goes to descriptor 3).
# KILLED: "killed" where the launch ends every process of the app with it (--temp):
# then the thief must not even have reported.
thief_attempt() {
  local name=$1 command=$2 killed=${3:-} report=$work/report-$RANDOM
  : >"$report"
  chmod 666 "$report"
  local steps
  steps=$(cat <<STEPS
type ${command} 3>$report; echo "appv-returned-\$?"\r
expect appv-returned-0
expect PROMPT>
sleep 1.5
type echo typed-se''cret-$name\r
expect typed-secret-$name
expect PROMPT>
sleep 3.5
STEPS
)
  if ! out=$(python3 "$T" <<<"$steps" 2>&1); then bad "$name: the session went wrong: $out"; return; fi
  local foreground read
  foreground=$(sed -n 's/^foreground //p' "$report")
  read=$(sed -n 's/^read //p' "$report")
  if [[ $killed ]]; then
    same "$name: the left-behind process ended with the app" "" "$(cat "$report")"
    return
  fi
  check "$name: the thief ran and reported" test -n "$foreground" -a -n "$read"
  [[ -n $foreground ]] || return
  check "$name: the left-behind process cannot take the terminal's foreground ($foreground)" bash -c '! grep -qx ok <<<"$1"' _ "$foreground"
  check "$name: it reads nothing the user typed ($read)" bash -c '! grep -q "typed" <<<"$1"' _ "$read"
}

# The attempts run side by side, each at a terminal of its own with a package of its
# own (an app id each: one attempt's view is not another's), their checks collected
# from their logs afterwards.
declare -A attempts=(
  [default]="$A run -q $work/thief-default.appv"
  [full]="$A run -q ${FULL[*]} $work/thief-full.appv"
  [temp]="$A run -q --temp $work/thief-temp.appv"
  [stub]="$work/thief-stub.appv --appv-quiet"
  # The caller's terminal passed on another descriptor, through /dev/tty (a device of
  # its own: 5,0).
  [dev-tty]="$A run -q $work/thief-dev-tty.appv 4</dev/tty"
  # A view without /proc (the user's --isolate /=full): the relay does not need one.
  [no-proc]="$A run -q --isolate /=full $work/thief-no-proc.appv"
  # A launch that joins a running instance of the same view.
  [joined]="{ $A run -q $work/thief-joined.appv 400 & sleep 0.2; $A run -q $work/thief-joined.appv 3>/dev/null; wait; }"
)
for name in "${!attempts[@]}"; do
  "$A" pack -q --id "thief-$name" "$work/terminal_thief" -o "$work/thief-$name.appv" || bad "pack the thief for $name"
done
for name in "${!attempts[@]}"; do
  killed=
  [[ $name == temp ]] && killed=killed
  thief_attempt "$name" "${attempts[$name]}" $killed >"$work/attempt-$name.log" 2>&1 &
done
wait
for name in "${!attempts[@]}"; do
  while IFS= read -r line; do
    case $line in
      "ok   "*) ok "${line#ok   }" ;;
      "FAIL "*) bad "${line#FAIL }" ;;
      *) echo "$line" ;;
    esac
  done <"$work/attempt-$name.log"
done

# session NAME STEPS: plays STEPS (terminal_session.py's language) at a terminal.
session() {
  local out
  if out=$(python3 "$T" <<<"$2" 2>&1); then ok "$1"; else bad "$1: $out"; fi
}
# The steps of Ctrl-C and Ctrl-Z for apps started with RUN ("appv run -q ..."): the
# status of a caught Ctrl-C; a stopped app stays stopped until fg, with the terminal's
# settings back meanwhile.
# `rea""dy` and `fin""ished`: the terminal echoes the typed command, which must not
# match what the app prints (a Ctrl-C typed on the echo would reach the launch, not
# the app's loop with its trap).
job_control_steps() {
  cat <<STEPS
type $1 $work/sh.appv -c 'trap "echo caught-int; exit 7" INT; echo rea""dy; while :; do sleep 0.1; done'\r
expect ready
type \x03
expect caught-int
expect PROMPT>
type echo "status=\$?"\r
expect status=7
type $1 $work/sh.appv -c 'echo rea""dy; sleep 1; echo fin""ished'\r
expect ready
type \x1a
expect Stopped
expect PROMPT>
sleep 2.5
absent finished
type stty -a | grep -o -- ' -*icanon'; echo settings-given-back\r
expect  icanon\s+settings-given-back
expect PROMPT>
type fg\r
expect finished
expect PROMPT>
type echo "status=\$?"\r
expect status=0
STEPS
}

# The terminal still works like the user's own.
session "input, output, window size, Ctrl-C, Ctrl-Z, fg, bg and statuses through the relayed terminal" "$(cat <<STEPS
size 33 111
type $A run -q $work/sh.appv -c 'stty size; tty; read -r x; echo "got:\$x"; exit 3'\r
expect 33 111
expect /dev/console
type hello there\r
expect got:hello there
expect PROMPT>
type echo "status=\$?"\r
expect status=3
$(job_control_steps "$A run -q")
type $A run -q $work/sh.appv -c 'echo rea""dy; sleep 1; echo in-background' &\r
expect ready
expect in-background
type wait; echo waited\r
expect waited
expect PROMPT>
type $A run -q $work/sh.appv -c 'trap "stty size" WINCH; echo rea""dy; sleep 1; sleep 1; echo done'\r
expect ready
size 40 120
expect 40 120
expect done
expect PROMPT>
type $A run -q $work/sh.appv -c 'kill -TERM \$\$'; echo "status=\$?"\r
expect status=143
STEPS
)"

# The relay's own costs: an app that closes its terminal does not make appv spin
# (its CPU time stays small while the app sleeps 2 s), and a process left behind that
# writes without pause does not keep appv from returning.
session "an app without its terminal costs appv no CPU; a chatty process left behind does not hold appv" "$(cat <<STEPS
type TIMEFORMAT='cpu=%U+%S'; time $A run -q $work/sh.appv -c 'exec 0<&- 1>&- 2>&-; sleep 2'\r
expect cpu=0\.[0-2][0-9]*\+0\.[0-2][0-9]*\s
expect PROMPT>
type $A run -q $work/sh.appv -c '(trap "" HUP; for i in \$(seq 4000); do echo chat; sleep 0.005; done) & sleep 0.5; exit 0'; echo "appv-back-\$?"\r
expect appv-back-0 8
STEPS
)"

# appv in a process group of its own session (setsid -w: orphaned, so the kernel does
# not stop it): an app that stops itself over and over is continued, a tenth of a
# second after each stop, not at once in a loop that spins a core.
session "an app stopping itself while appv cannot stop is continued at a slow pace" "$(cat <<STEPS
type TIMEFORMAT='real=%R cpu=%U+%S'; time setsid -w $A run -q $work/sh.appv -c 'for i in \$(seq 20); do kill -STOP \$\$; done; echo stopped-20-times'\r
expect stopped-20-times
expect real=([2-9]|[1-9][0-9])\.[0-9]+ cpu=0\.[0-4][0-9]*\+0\.[0-4][0-9]*\s
expect PROMPT>
STEPS
)"

# The ptrace backend does not relay (README): the app keeps the caller's terminal and
# session; Ctrl-C, Ctrl-Z and fg still work for it.
session "ptrace backend: Ctrl-C and its status, Ctrl-Z stops the app until fg" "$(job_control_steps "$A run -q --backend ptrace")"
# A shell inside the app keeps its own job control there: Ctrl-Z stops its job (the
# supervisor holds the group-stop, it does not restart it) and the shell is told.
session "ptrace backend: an interactive shell in the app stops its job with Ctrl-Z, and the job stays stopped" "$(cat <<STEPS
type $A run -q --backend ptrace $work/sh.appv --norc --noprofile -i\r
sleep 1
type PS1='INNER> '\r
expect INNER>
type sleep 30\r
sleep 1
type \x1a
expect Stopped
expect INNER>
sleep 1
type read -r _ _ st _ < /proc/\$(jobs -p)/stat; echo "state=\$st"\r
expect state=[tT]\s
type kill -9 %1; sleep 0.2; exit 5\r
expect PROMPT>
type echo "status=\$?"\r
expect status=5
STEPS
)"

# script(1) with its input at end-of-file types Ctrl-D into its terminal, often before
# appv takes the terminal: the app reads end-of-file, not a NUL byte.
out=$(script -qec "$(printf '%q ' "$A" run -q "$work/sh.appv" -c 'sleep 0.3; cat | od -An -c; echo cat-ended')" /dev/null </dev/null | tr -d '\r')
same "a Ctrl-D typed ahead is the app's end-of-file" "cat-ended" "$(sed '/^ *$/d' <<<"$out")"

# A pipeline keeps the caller's terminal (README: reading it would take the other
# side's keystrokes): the app's standard input is the caller's terminal itself.
session "a pipeline keeps the caller's terminal" "$(cat <<STEPS
type $A run -q $work/sh.appv -c 'ls -l /proc/self/fd/0' | cat; tty\r
expect -> (/dev/pts/[0-9]+).*\1
STEPS
)"

finish
