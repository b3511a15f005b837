#!/usr/bin/env bash
# The command line's conventions: progress only on a terminal (script(1) gives appv a
# pty), output unchanged for scripts, -q on every command that prints more than its
# result, "did you mean" for commands, options, manifest keys and app ids, help
# without CLI11's type noise, the exit status pointer, the header of `appv list`,
# and packing without a manifest (--id, --version, default output).
# Run alone: ctest -R e2e_user_conventions (and e2e_root_conventions, as root).
source "$1/lib.sh"
command -v script >/dev/null || skip "script (bsdutils) is not installed"
esc=$'\e'
cr=$'\r'

echo "== progress: none when stderr is not a terminal"
err=$("$A" pack /usr/bin/jq -o jq.appv 2>&1 >/dev/null)
check "pack packed jq" test -s jq.appv
check "no carriage return or escape sequence in a log" bash -c '[[ $1 != *[$2$3]* ]]' _ "$err" "$cr" "$esc"
check "every line is appv's own" bash -c '! grep -qv "^appv: " <<<"$1"' _ "$err"
check "the summary line ends it" grep -qE '^appv: wrote jq\.appv: [0-9.]+ [kMG]?B \([0-9]+ entries, [0-9.]+ [kMG]?B unpacked\) in ' <<<"$(tail -n1 <<<"$err")"
# One count of entries per run: the phase line names no other count than the summary.
check "entries are counted once" bash -c '[[ $(grep -c "entries" <<<"$1") == 1 ]]' _ "$err"

echo "== progress: on a terminal"
tty_out=$(script -qec "$(printf '%q ' "$A" pack /usr/bin/jq -o jq-tty.appv)" /dev/null)
check "pack under a pty draws a progress line" grep -q "${cr}writing jq-tty\.appv: [0-9]*/[0-9]* files, " <<<"$tty_out"
check "and takes it down before its summary" grep -q "${cr}${esc}\[Kappv: wrote jq-tty\.appv: " <<<"$tty_out"
check "the same package as without a terminal" cmp -s jq.appv jq-tty.appv
first_run=$(script -qec "$(printf '%q ' "$A" run jq.appv --version)" /dev/null)
check "a first run under a pty shows its extraction" grep -q "${cr}extracting jq: " <<<"$first_run"
check "and the app's output follows a cleared line" grep -q "${esc}\[Kjq-" <<<"$first_run"
export XDG_CACHE_HOME=$work/cache-2
err=$("$A" run jq.appv --version 2>&1 >/dev/null)
same "a first run without a terminal prints nothing of its own" "" "$err"

echo "== -q"
quiet_ok() {  # quiet_ok NAME COMMAND...: succeeds with nothing on stdout or stderr
  local name=$1 out rc; shift
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne 0 ]]; then bad "$name: status $rc: $out"; elif [[ -n $out ]]; then bad "$name printed: $out"; else ok "$name"; fi
}
quiet_ok "pack -q" "$A" pack -q /usr/bin/jq -o jq-q.appv
export XDG_CACHE_HOME=$work/cache-3
same "run -q: the app's output only" "$(/usr/bin/jq --version)" "$("$A" run -q jq.appv --version 2>&1)"
quiet_ok "extract -q" "$A" extract -q jq.appv extracted
quiet_ok "keygen -q" "$A" keygen -q k
quiet_ok "sign -q" "$A" sign -q jq-q.appv --key k.key
quiet_ok "install -q" "$A" install -q jq.appv
quiet_ok "sandbox export -q" "$A" sandbox export -q jq sb.tar.zst
quiet_ok "sandbox import -q" "$A" sandbox import -q --replace jq sb.tar.zst
quiet_ok "sandbox reset -q" "$A" sandbox reset -q jq
# Errors still print.
status "an error still prints under -q" 66 "$A" pack -q appv-no-such-program
# Every command that prints more than its result takes -q, the same option in each;
# registry commands (push, pull, sync, update, rollback) are run with -q in distribution.sh.
for cmd in pack capture run extract keygen sign install uninstall push pull sync update rollback \
           "sandbox reset" "sandbox export" "sandbox import"; do
  check "$cmd --help offers -q,--quiet" grep -qE '^  -q,--quiet +Print nothing but errors and warnings$' <<<"$("$A" $cmd --help)"
done

echo "== did you mean"
same "an unknown subcommand" "appv sandbox: unknown command 'lst'; did you mean 'list'? (see 'appv sandbox --help')" \
  "$("$A" sandbox lst 2>&1)"
status "is bad usage" 64 "$A" sandbox lst
same "an unknown command" "appv: unknown command 'instal'; did you mean 'install'? (see 'appv --help')" "$("$A" instal x 2>&1)"
same "an unknown option, matched against that command's" \
  "appv pack: unknown option '--ouput'; did you mean '--output'? (see 'appv pack --help')" "$("$A" pack --ouput x /usr/bin/jq 2>&1)"
status "is bad usage" 64 "$A" pack --ouput x /usr/bin/jq
same "option errors point to the subcommand's help" "appv pull: reference is required (see 'appv pull --help')" "$("$A" pull 2>&1)"
printf 'id = "t"\nverison = "1"\n[entry.t]\npath = "/usr/bin/jq"\n' > typo.toml
err=$("$A" pack -m typo.toml -o t.appv 2>&1); rc=$?
same "an unknown manifest key is refused" 65 "$rc"
check "naming FILE:LINE:COL and the closest key" grep -qF "typo.toml:2:1: unknown key 'verison' (did you mean 'version'?)" <<<"$err"
printf '[desktop]\nname = "T"\nicno = "t"\n' >> typo.toml
sed -i 's/^verison/version/' typo.toml
check "in a table too" grep -qF "unknown key 'desktop.icno' (did you mean 'icon'?)" <<<"$("$A" pack -m typo.toml -o t.appv 2>&1)"
same "an unknown sandbox" "appv: jx has no sandbox (it has not run as this user): $HOME/.local/share/appv/sandboxes/jx; did you mean 'jq'?" \
  "$("$A" sandbox path jx 2>&1)"
check "an unknown app to uninstall" grep -qF "did you mean 'jq'?" <<<"$("$A" uninstall jx 2>&1)"
status "...is a missing input (66), as for run and sandbox rm" 66 "$A" uninstall jx
check "an unknown app to roll back" grep -qF "did you mean 'jq'?" <<<"$("$A" rollback jx 2>&1)"
status "...is 66 too" 66 "$A" rollback jx
check "...and leaves no lock file behind" test ! -e "$HOME/.local/share/appv/sync.lock"
same "the package's own option, mistyped" "appv: unknown option '--appv-entr'; did you mean '--appv-entry'? (see --appv-help)" \
  "$(./jq.appv --appv-entr jq 2>&1)"
status "...is bad usage" 64 ./jq.appv --appv-entr jq
check "an unknown app's registry" grep -qF "did you mean 'jq'?" <<<"$("$A" registry list jx 2>&1)"

echo "== help"
commands=$("$A" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
check "appv --help lists the commands" grep -qx sandbox <<<"$commands"
check "appv --help shows the exit status table" grep -qE '^  64 +bad command line' <<<"$("$A" --help)"
same "appv help exit-statuses is that table" "$("$A" --help | sed -n '/^Exit status:/,$p')" "$("$A" help exit-statuses)"
for cmd in $commands "sandbox list" "sandbox reset" "registry set"; do
  help=$("$A" $cmd --help)
  same "$cmd --help ends with the pointer to the exit statuses" "Exit status: see 'appv help exit-statuses'." "$(tail -n1 <<<"$help")"
  check "$cmd --help shows no CLI11 type noise" bash -c '! grep -qE "TEXT|:FILE|:DIR|\{false\}|\{true\}|REQUIRED|=[0-9]" <<<"$1"' _ "$help"
done

echo "== tables for people"
list=$("$A" list)
check "appv list has a header" grep -qE '^APP +VERSION +PACKAGE +FROM +PREVIOUS$' <<<"$(head -n1 <<<"$list")"
check "and a row per app" grep -qE "^jq +0 +$HOME/\.local/share/appv/packages/jq\.appv +- +-$" <<<"$list"
quiet_ok "uninstall -q" "$A" uninstall -q jq
# Installs for every user (none, unless this machine has some) are pointed to.
everyone=$(find /var/lib/appv/installed -maxdepth 1 -name '*.record' ! -name '.*' 2>/dev/null | wc -l)
if [[ $everyone -eq 0 ]]; then expected="no apps installed"; else expected="no apps installed for you; $everyone for every user: appv list --system"; fi
same "nothing installed" "$expected" "$("$A" list)"
# Reading what is installed for every user needs no root; changing it does.
check "list --system without root" "$A" list --system
same "list --system --json names every user's apps" "$everyone" "$("$A" list --system --json | jq length)"

echo "== pack without a manifest"
mkdir -p out-dir && cd out-dir
check "pack without -o" "$A" pack -q /usr/bin/jq
check "writes <id>.appv here" test -s jq.appv
check "pack --id --version" "$A" pack -q --id org.example.jq --version 1.6 /usr/bin/jq
same "names the package" "org.example.jq 1.6" "$(info_field org.example.jq.appv '.id + " " + .version')"
status "an id that is not one" 64 "$A" pack -q --id 'a b' /usr/bin/jq
cd ..
finish
