#!/usr/bin/env bash
# appv's shell completions and man pages, as the shells and man load them: the
# scripts `appv completion SHELL` prints are sourced and asked to complete real
# command lines; every page `appv help --man DIR` writes renders without a warning.
#   completions.sh APPV
# Needs bash, zsh, fish and man (scripts/install-deps --test); without zsh or fish,
# it says which is missing and fails.
set -uo pipefail
appv=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 checks=0
check() {  # check WHAT EXPECTED ACTUAL
  checks=$((checks + 1))
  if [[ $2 == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    echo "     expected: $(printf '%q' "$2")"
    echo "     got:      $(printf '%q' "$3")"
    failures=$((failures + 1))
  fi
}
for tool in zsh fish man; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps --test)"; exit 1; }
done

"$appv" completion bash >"$work/appv.bash" || exit 1
"$appv" completion zsh >"$work/_appv" || exit 1
"$appv" completion fish >"$work/appv.fish" || exit 1
# A directory to complete file names in: a package, a manifest, a directory.
mkdir -p "$work/files/dir.d"
touch "$work/files/jq.appv" "$work/files/jq.toml"
cd "$work/files"

# bash: what `complete -p` shows, then _appv called as readline calls it.
check "bash: sourcing registers _appv for appv" "complete -F _appv appv" \
  "$(bash -c "source '$work/appv.bash' && complete -p appv")"
bash_complete() {  # bash_complete WORD... (the last one is the word at the cursor)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _appv; printf "%s\n" "${COMPREPLY[@]}" | sort' \
    _ "$work/appv.bash" "$@"
}
check "bash: a command by its start" "pack" "$(bash_complete appv pa)"
check "bash: a group's subcommands" "$(printf '%s\n' diff export import list path reset rm)" "$(bash_complete appv sandbox '')"
check "bash: a subcommand's options" "--keep-config" "$(bash_complete appv sandbox reset --k)"
check "bash: an option by its start" "--manifest" "$(bash_complete appv pack --man)"
check "bash: a file option's value" "$(printf '%s\n' dir.d jq.appv jq.toml)" "$(bash_complete appv pack -m '')"
check "bash: a value after --option=" "jq.toml" "$(bash_complete appv pack --manifest = jq.t)"
check "bash: a value that is no file" "" "$(bash_complete appv run --entry '')"
check "bash: after an option's value, arguments again" "jq.appv" "$(bash_complete appv run --entry main jq.a)"
check "bash: a directory argument" "dir.d" "$(bash_complete appv extract jq.appv '')"
check "bash: the words an argument may be" "$(printf '%s\n' bash zsh fish | sort)" "$(bash_complete appv completion '')"
check "bash: a program to pack" "jq" "$(bash_complete appv pack jq | grep -x jq)"
check "bash: the app's arguments after the package are files" "jq.toml" "$(bash_complete appv run jq.appv --x jq.t)"

# fish: `complete -C` prints what fish would offer, a description after a tab.
fish_complete() { fish --no-config -c "source '$work/appv.fish'; complete -C '$1'" | cut -f1 | sort; }
check "fish: a command by its start" "pack" "$(fish_complete 'appv pa')"
check "fish: a group's subcommands" "$(printf '%s\n' diff export import list path reset rm)" "$(fish_complete 'appv sandbox ')"
check "fish: top-level list is not sandbox list" "$(printf '%s\n' --help --json --system -h)" "$(fish_complete 'appv list -')"
check "fish: sandbox list's options" "$(printf '%s\n' --help --json -h)" "$(fish_complete 'appv sandbox list -')"
check "fish: a file option's value" "$(printf '%s\n' dir.d/ jq.appv jq.toml)" "$(fish_complete 'appv pack -m ')"
check "fish: the words an argument may be" "$(printf '%s\n' bash fish zsh)" "$(fish_complete 'appv completion ')"

# zsh: the script parses, and loaded through compinit it defines every command's
# function and registers _appv for appv.
check "zsh: the script parses" "" "$(zsh -n "$work/_appv" 2>&1)"
check "zsh: compinit finds it for appv" "_appv" "$(zsh -f -c "
  fpath=('$work' \$fpath); autoload -Uz compinit; compinit -u -d '$work/zcompdump'
  print -r -- \$_comps[appv]" 2>&1)"
check "zsh: sourced, it defines every command's function" "1 1 1" "$(zsh -f -c "
  autoload -Uz compinit; compinit -u -d '$work/zcompdump'
  source '$work/_appv'
  print -r -- \$+functions[_appv] \$+functions[_appv__sandbox__reset] \$+functions[_appv__pack]" 2>&1)"

# Man pages: one per command appv --help lists, and appv(1); each renders at 80
# columns without a warning, and its NAME line is what whatis/apropos index.
"$appv" help --man "$work/man" || exit 1
commands=$("$appv" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print "appv-" $1 ".1"}' | sort)
check "man: appv(1) and a page per command" "$(printf 'appv.1\n%s' "$commands" | sort)" "$(ls "$work/man" | sort)"
for page in "$work"/man/*.1; do
  name=$(basename "$page" .1)
  check "man: $name renders without warnings" "" "$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/dev/null)"
  check "man: $name's NAME line" "$name" "$(lexgrog "$page" | sed -n 's/^[^:]*: "\([^ ]*\) - .*/\1/p')"
done
check "man: appv-run(1) has the exit statuses" "1" "$(MANWIDTH=80 man -l "$work/man/appv-run.1" | grep -c '^EXIT STATUS')"

echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
