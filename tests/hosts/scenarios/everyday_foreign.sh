#!/usr/bin/env bash
# Everyday use on a foreign host: a command-line tool with two entry points and a
# non-ASCII name and comment, packed here, installed and used there as the host's user
# tanaka and its root would, with the appv command the host has.
# - tanaka: install --commands, start by id, by --entry, through the exported commands
#   (by path and once ~/.local/bin is on PATH; install says it is not), through a link of
#   their own to the package (busybox style), did-you-mean for an id and a subcommand,
#   --json of list, sandbox list and cache, first-run progress under a terminal and none
#   without one, -q, uninstall --delete-data and cache prune leaving the home as it was
#   but for empty XDG base directories;
# - the same under LANG=C and ja_JP.UTF-8 (a locale the host lacks), TZ Asia/Kathmandu
#   and a HOME with a space and non-ASCII letters: the menu entry keeps the name and
#   comment as UTF-8 and its Exec line starts the app;
# - root: install --system with /usr/local/bin on a file system of its own and
#   /usr/share/icons a bind mount (mounts below /usr); tanaka starts it by id and by
#   command, lists it with list --system, `su - tanaka` starts the command; uninstall
#   leaves the system's directories as they were;
# - the places users put things: a package on another file system than the home (a
#   download in /tmp, a USB stick), a HOME reached through a symlink, XDG_CACHE_HOME a
#   symlink, a first run from a directory the user cannot enter (`su` from root's home),
#   and root installing with the user's HOME (`sudo -E`), which must not leave root's
#   files in that home.
# The appv command is this machine's build: trixie's glibc runs it; bullseye's (2.31) is
# older than the one it was built against, so there it is started with this machine's
# dynamic loader and C/C++ runtime beside it (README: a Debian package is built on the
# release it is installed on); the packages themselves run with their static stub.
# Run alone: ctest -R hosts_trixie_everyday_foreign (or hosts_bullseye_everyday_foreign).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== everyday use on $suite"

# The appv command the foreign host runs: a copy of this build, and beside it the
# loader and runtime it was linked against, for hosts whose glibc is older.
tool=$pkgs/appv
mkdir -p "$tool/lib"
cp "$A" "$tool/appv.bin"
interp=$(readelf -l "$A" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
cp -L "$interp" "$tool/lib/"
ldd "$A" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r so; do cp -L "$so" "$tool/lib/"; done
cat >"$tool/appv" <<EOF
#!/bin/bash
d=\$(dirname "\$(readlink -f "\$0")")
"\$d/appv.bin" --version >/dev/null 2>&1 && exec "\$d/appv.bin" "\$@"
exec "\$d/lib/$(basename "$interp")" --library-path "\$d/lib" "\$d/appv.bin" "\$@"
EOF
chmod -R a+rX "$tool" && chmod 755 "$tool/appv"

cat >jq-tool.toml <<'TOML'
id = "org.jqlang.jq"
name = "jq — 東京の JSON ツール"
version = "1.6"
default_entry = "jq"
[entry.jq]
path = "/usr/bin/jq"
[entry.jq-sorted]
path = "/usr/bin/jq"
args = ["-S"]
[desktop]
comment = "Traitement JSON en ligne de commande, café ☕"
terminal = true
categories = ["Utility"]
TOML
packed "$pkgs/jq-tool.appv" -m "$work/jq-tool.toml"

# The foreign side: each session runs one function of this script on a fresh host and
# records every step's stdout, stderr and status in $out/STEP.{out,err,rc}; the checks
# below read them here.
cat >"$pkgs/everyday-host.sh" <<'HOST'
set -u
session=$1 out=$2 pkgs=$3
appv=$pkgs/appv/appv
pkg=$pkgs/jq-tool.appv
json='{"b":1,"a":2}'
step() { local name=$1; shift; "$@" >"$out/$name.out" 2>"$out/$name.err"; echo $? >"$out/$name.rc"; }
feed() { printf '%s\n' "$json" | "$@"; }
home_state() { (cd "$1" && find . -printf '%y %m %u %p\n' | LC_ALL=C sort); }
# as_tanaka [VAR=VALUE...] CMD...: from root, the host's user tanaka in a clean
# environment, in the directory root is in.
as_tanaka() {
  local env=(HOME=/home/tanaka USER=tanaka LOGNAME=tanaka PATH=/usr/local/bin:/usr/bin:/bin)
  while [[ $1 == *=* ]]; do env+=("$1"); shift; done
  setpriv --reuid=2001 --regid=2001 --init-groups env -i "${env[@]}" "$@"
}

journey() {
  cd ~ || return
  home_state ~ >"$out/home_before"
  mkdir Downloads && cp "$pkg" Downloads/
  step install "$appv" install --commands ~/Downloads/jq-tool.appv
  step run_id feed "$appv" run org.jqlang.jq -c .
  step run_entry feed "$appv" run --entry jq-sorted org.jqlang.jq -c .
  step dry_run "$appv" run --dry-run org.jqlang.jq
  step cmd feed ~/.local/bin/jq-sorted -c .
  step cmd_default feed ~/.local/bin/jq -c .
  step cmd_on_path feed env PATH="$HOME/.local/bin:$PATH" bash -c 'jq-sorted -c .'
  mkdir ~/bin && ln -s ~/Downloads/jq-tool.appv ~/bin/jq-sorted && ln -s ~/Downloads/jq-tool.appv ~/bin/sort-json
  step link_entry feed ~/bin/jq-sorted -c .
  step link_other feed ~/bin/sort-json -c .
  rm -r ~/bin
  step mistyped_id "$appv" run org.jqlang.jg
  step mistyped_command "$appv" sandbox lst
  step list "$appv" list
  step list_json "$appv" list --json
  step sandbox_json "$appv" sandbox list --json
  step cache_json "$appv" cache --json
  "$appv" cache prune -q --all
  step progress_tty script -qec "'$appv' run org.jqlang.jq --version" /dev/null
  "$appv" cache prune -q --all
  step progress_pipe "$appv" run org.jqlang.jq --version
  "$appv" cache prune -q --all
  step quiet_tty script -qec "'$appv' run -q org.jqlang.jq --version" /dev/null
  step rm_missing "$appv" sandbox rm org.jqlang.jg
  step uninstall "$appv" uninstall --delete-data org.jqlang.jq
  step commands_gone bash -c '! [[ -e ~/.local/bin/jq || -L ~/.local/bin/jq || -e ~/.local/bin/jq-sorted || -L ~/.local/bin/jq-sorted ]]'
  step prune "$appv" cache prune --all
  step cache_after "$appv" cache --json
  rm -r ~/Downloads
  home_state ~ >"$out/home_after"
}

# A HOME with a space and non-ASCII letters, under the host's LANG and an odd TZ.
text() {
  export HOME="$HOME/作業 フォルダ" TZ=Asia/Kathmandu
  mkdir -p "$HOME" && cd "$HOME" || return
  cp "$pkg" "$HOME/"
  step info "$appv" info "$HOME/jq-tool.appv"
  step install "$appv" install -q --command jq-sorted "$HOME/jq-tool.appv"
  step desktop cat "$HOME/.local/share/applications/org.jqlang.jq.desktop"
  local exec_line cmd
  exec_line=$(sed -n 's/^Exec=//p' "$HOME/.local/share/applications/org.jqlang.jq.desktop")
  eval "cmd=($exec_line)"
  step exec_line feed "${cmd[@]}" -c .
  step run_id feed "$appv" run org.jqlang.jq -c .
  step cmd feed "$HOME/.local/bin/jq-sorted" -c .
  step list "$appv" list
  step cache "$appv" cache
  step uninstall "$appv" uninstall -q --delete-data org.jqlang.jq
  "$appv" cache prune -q --all
  rm "$HOME/jq-tool.appv"
  home_state "$HOME" >"$out/home_after"
}

system() {
  cd /root || return
  mount -t tmpfs -o mode=755 local-bin /usr/local/bin
  mkdir -p /srv/icons /usr/share/icons && mount --bind /srv/icons /usr/share/icons
  state() { find /usr/local/bin /usr/local/share /usr/share/icons /var/lib/appv -printf '%y %m %u %p %l\n' 2>/dev/null | LC_ALL=C sort; }
  state >"$out/system_before"
  cp "$pkg" /var/tmp/
  step install "$appv" install --system --commands /var/tmp/jq-tool.appv
  step root_cmd feed jq-sorted -c .
  cd /
  step user_cmd as_tanaka bash -c "cd && printf '%s\n' '$json' | jq-sorted -c ."
  step user_run_id as_tanaka bash -c "cd && printf '%s\n' '$json' | '$appv' run org.jqlang.jq -c ."
  step user_dry_run as_tanaka bash -c "cd && '$appv' run --dry-run org.jqlang.jq"
  step user_list_system as_tanaka bash -c "cd && '$appv' list --system --json"
  step su_cmd su - tanaka -c "printf '%s\n' '$json' | jq-sorted -c ."
  step user_uninstall as_tanaka bash -c "cd && '$appv' uninstall --system org.jqlang.jq"
  step still_installed "$appv" list --system --json
  step uninstall "$appv" uninstall --system --delete-data org.jqlang.jq
  rm /var/tmp/jq-tool.appv
  state >"$out/system_after"
}

places() {
  # First, while tanaka's cache is empty: started from root's home, which tanaka
  # cannot enter, as `su tanaka` or `sudo -u tanaka` from there starts it.
  cd /root || return
  step cwd_unreadable as_tanaka "$pkg" --version
  cd /
  step install_other_fs as_tanaka bash -c "cd && '$appv' install -q '$pkg' && '$appv' uninstall -q org.jqlang.jq"
  ln -s /home/tanaka /home/tanaka-link
  step home_symlink as_tanaka HOME=/home/tanaka-link bash -c "cd && printf '%s\n' '$json' | '$pkg' -c ."
  step cache_symlink as_tanaka bash -c "cd && mkdir real-cache && ln -s ~/real-cache ~/cache-link &&
    printf '%s\n' '$json' | XDG_CACHE_HOME=~/cache-link '$pkg' -c ."
  # Installed twice (the second time with a command), then uninstalled: the directories
  # the first install made go too.
  step reinstall as_tanaka HOME=/home/tanaka/again bash -c "mkdir ~ && cd && cp '$pkg' ~/x.appv &&
    '$appv' install -q ~/x.appv 2>/dev/null && '$appv' install -q --command jq-sorted ~/x.appv 2>/dev/null &&
    '$appv' uninstall -q org.jqlang.jq 2>/dev/null && rm x.appv && find . -mindepth 1 -printf '%y %p\n' | LC_ALL=C sort"
  # Root keeping the user's HOME (sudo -E, or a sudo that keeps HOME).
  cp "$pkg" /home/tanaka/x.appv && chown 2001:2001 /home/tanaka/x.appv
  step root_user_home env HOME=/home/tanaka "$appv" install -q /home/tanaka/x.appv
  step root_files_in_home find /home/tanaka -user root
}

mkdir -p "$out"
"$session"
HOST

# session NAME FUNCTION USER [--lang VALUE]: runs FUNCTION of the script above on a
# fresh host as USER; its results are in $res/NAME.
res=$pkgs/results
mkdir -p "$res" && chmod 755 "$res"
session() {
  local name=$1 function=$2 who=$3
  shift 3
  mkdir -p "$res/$name" && chown "$([[ $who == tanaka ]] && echo 2001:2001 || echo 0:0)" "$res/$name"
  on "$who" "$@" -- bash "$pkgs/everyday-host.sh" "$function" "$res/$name" "$pkgs" >"$work/session-$name.log"
  [[ -s $work/session-$name.log ]] && sed "s/^/  [$name] /" "$work/session-$name.log"
}
# r SESSION/STEP KIND: a step's out, err or rc; both SESSION/STEP: its stdout, then its stderr.
r() { cat "$res/$1.$2" 2>/dev/null; }
both() { printf '%s%s' "$(r "$1" out)" "$(r "$1" err)"; }
# ran NAME SESSION/STEP STATUS: the step's exit status, with its stderr when it differs.
ran() {
  local got
  got=$(r "$2" rc)
  if [[ $got == "$3" ]]; then ok "$1"; else bad "$1: status [$got], expected $3; stderr: $(r "$2" err | head -3)"; fi
}
unsorted='{"b":1,"a":2}' sorted='{"a":2,"b":1}'
home=/home/tanaka

session journey journey tanaka
at="$suite, tanaka"
ran "$at: install --commands" journey/install 0
check "$at: install says how to start it by id" grep -q "^start it with: appv run org.jqlang.jq" "$res/journey/install.out"
check "$at: install names both commands" \
  bash -c "grep -qF 'command: jq ($home/.local/bin/jq)' '$res/journey/install.out' && grep -qF 'command: jq-sorted ($home/.local/bin/jq-sorted)' '$res/journey/install.out'"
check "$at: install says ~/.local/bin is not on the host's PATH" grep -qF "$home/.local/bin is not on your PATH" "$res/journey/install.out"
same "$at: appv run by id" "$unsorted" "$(r journey/run_id out)"
same "$at: appv run --entry jq-sorted by id" "$sorted" "$(r journey/run_entry out)"
check "$at: the dry run says the installation for tanaka runs" \
  grep -q "^installed: $home/.local/share/appv/packages/org.jqlang.jq.appv (installed for you)" "$res/journey/dry_run.out"
same "$at: the exported command jq-sorted" "$sorted" "$(r journey/cmd out)"
same "$at: the exported command jq" "$unsorted" "$(r journey/cmd_default out)"
same "$at: jq-sorted by name once ~/.local/bin is on PATH" "$sorted" "$(r journey/cmd_on_path out)"
same "$at: a link of the user's own named after an entry point runs it" "$sorted" "$(r journey/link_entry out)"
same "$at: a link of another name runs the default entry point" "$unsorted" "$(r journey/link_other out)"
ran "$at: a mistyped id is 66" journey/mistyped_id 66
check "$at: ...in one line naming the close id" \
  bash -c "[[ \$(wc -l <'$res/journey/mistyped_id.err') -eq 1 ]] && grep -q \"did you mean 'org.jqlang.jq'\" '$res/journey/mistyped_id.err'"
ran "$at: a mistyped subcommand is 64" journey/mistyped_command 64
check "$at: ...naming the close one" grep -q "did you mean 'list'" "$res/journey/mistyped_command.err"
check "$at: list has a header and the app" bash -c "head -1 '$res/journey/list.out' | grep -q '^APP ' && grep -q '^org.jqlang.jq ' '$res/journey/list.out'"
same "$at: list --json" "org.jqlang.jq 1.6 $home/.local/share/appv/packages/org.jqlang.jq.appv" \
  "$(jq -r '.[] | "\(.id) \(.version) \(.package)"' "$res/journey/list_json.out")"
same "$at: sandbox list --json" "org.jqlang.jq false" "$(jq -r '.[] | "\(.app) \(.running)"' "$res/journey/sandbox_json.out")"
same "$at: cache --json: the cache and its one tree, used by the installation" \
  "$home/.cache/appv org.jqlang.jq installed for you" \
  "$(jq -r '"\(.cache) \(.trees[] | "\(.id) \(.used_by | join(","))")"' "$res/journey/cache_json.out")"
# The progress line is drawn after a carriage return and erased (ESC [K) before the app runs.
drawn_and_erased() { [[ $1 == *$'\r'"extracting org.jqlang.jq:"*$'\e[K'*jq-1.6* ]]; }
check "$at: a first run under a terminal draws its extraction progress, then takes it down" \
  drawn_and_erased "$(r journey/progress_tty out)"
same "$at: ...and without a terminal prints nothing but the app's output" "jq-1.6|" \
  "$(r journey/progress_pipe out)|$(r journey/progress_pipe err)"
same "$at: ...and with -q under a terminal, nothing but the app's output" "jq-1.6"$'\r' "$(r journey/quiet_tty out)"
ran "$at: sandbox rm of a sandbox that is not there is 66" journey/rm_missing 66
ran "$at: uninstall --delete-data" journey/uninstall 0
ran "$at: ...removes the exported commands" journey/commands_gone 0
check "$at: cache prune --all removes the tree in one line" grep -qx 'removed 1 tree, [0-9.]* [kMG]*B' "$res/journey/prune.out"
same "$at: ...and leaves no tree and no lock" "0 0" "$(jq -r '"\(.trees | length) \(.locks.count)"' "$res/journey/cache_after.out")"
extra=$(comm -13 "$res/journey/home_before" "$res/journey/home_after" |
  grep -vxE 'd [0-7]+ tanaka \./(\.cache|\.config|\.local|\.local/share|\.local/state)')
same "$at: the home is as it was but for empty XDG base directories" "" "$extra"

for lang in C ja_JP.UTF-8; do
  name=text-${lang%%.*}
  session "$name" text tanaka --lang "$lang"
  at="$suite, tanaka, LANG=$lang, TZ=Asia/Kathmandu, HOME with a space and non-ASCII letters"
  h="$home/作業 フォルダ"
  check "$at: info prints the name as UTF-8" grep -qx 'name: *jq — 東京の JSON ツール' "$res/$name/info.out"
  ran "$at: install -q" "$name/install" 0
  same "$at: install -q prints nothing but warnings" "" "$(grep -v '^appv: warning:' "$res/$name/install.out" "$res/$name/install.err")"
  check "$at: the menu entry keeps the name and comment" \
    bash -c "grep -qx 'Name=jq — 東京の JSON ツール' '$res/$name/desktop.out' && grep -qx 'Comment=Traitement JSON en ligne de commande, café ☕' '$res/$name/desktop.out'"
  same "$at: the menu entry's Exec line starts the app" "$unsorted" "$(r "$name/exec_line" out)"
  same "$at: appv run by id" "$unsorted" "$(r "$name/run_id" out)"
  same "$at: the exported command" "$sorted" "$(r "$name/cmd" out)"
  check "$at: list names the package in the home" grep -qF "$h/.local/share/appv/packages/org.jqlang.jq.appv" "$res/$name/list.out"
  check "$at: cache names the cache in the home" grep -qxF "cache: $h/.cache/appv" "$res/$name/cache.out"
  ran "$at: uninstall -q --delete-data" "$name/uninstall" 0
  same "$at: the home holds only empty XDG base directories" "" \
    "$(grep -vxE 'd [0-7]+ tanaka \.(/\.cache|/\.config|/\.local|/\.local/share|/\.local/state)?' "$res/$name/home_after")"
done

session system system root
at="$suite, root, /usr/local/bin and /usr/share/icons mounts of their own"
ran "$at: install --system --commands" system/install 0
check "$at: install names the commands in /usr/local/bin" grep -qF "command: jq-sorted (/usr/local/bin/jq-sorted)" "$res/system/install.out"
same "$at: root starts the command" "$sorted" "$(r system/root_cmd out)"
same "$at: tanaka starts the command" "$sorted" "$(r system/user_cmd out)"
same "$at: tanaka starts it by id" "$unsorted" "$(r system/user_run_id out)"
check "$at: tanaka's dry run says the installation for every user runs" \
  grep -q "^installed: /var/lib/appv/packages/org.jqlang.jq.appv (installed for every user)" "$res/system/user_dry_run.out"
ran "$at: tanaka lists what is installed for every user (list --system --json)" system/user_list_system 0
same "$at: ...and it is there" "org.jqlang.jq" "$(jq -r '.[].id' "$res/system/user_list_system.out" 2>/dev/null)"
same "$at: su - tanaka starts the command" "$sorted" "$(r system/su_cmd out)"
check "$at: tanaka cannot uninstall it" test "$(r system/user_uninstall rc)" -ne 0
same "$at: ...and it stays installed" "org.jqlang.jq" "$(jq -r '.[].id' "$res/system/still_installed.out")"
ran "$at: uninstall --system --delete-data" system/uninstall 0
same "$at: the system's directories are as they were" "$(cat "$res/system/system_before")" "$(cat "$res/system/system_after")"

session places places root
at="$suite, tanaka"
same "$at: a first run started in a directory tanaka cannot enter (su from root's home)" "jq-1.6" \
  "$(both places/cwd_unreadable)"
ran "$at: install of a package on another file system than the home" places/install_other_fs 0
same "$at: HOME reached through a symlink" "$unsorted" "$(both places/home_symlink)"
same "$at: XDG_CACHE_HOME a symlink" "$unsorted" "$(both places/cache_symlink)"
ran "$at: install, install again with a command, uninstall" places/reinstall 0
same "$at: ...leaves only empty XDG base directories" "" \
  "$(grep -vxE 'd \./(\.local|\.local/share)' "$res/places/reinstall.out")"
ran "$at: root installing with tanaka's HOME is refused as a run is (77)" places/root_user_home 77
same "$at: ...and leaves no file of root's in tanaka's home" "" "$(r places/root_files_in_home out)"
finish
