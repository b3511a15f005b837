#!/usr/bin/env bash
# Rules the user can take back: --isolate P=MODE covers every default and manifest rule
# below P; a package's [isolation] rule opening a host path (here "~/.ssh" = "host")
# needs the administrator's host_paths grant, sensitive trees by name.
# Run alone: ctest -R 'security_(root|user)_rule_precedence' --output-on-failure
source "$1/lib.sh"
packed "$work/bash.appv" /bin/bash /bin/cat /bin/ls || bad "pack bash"
cat > ssh.toml <<TOML
id = "org.example.sshreader"
version = "1"
[entry.bash]
path = "/usr/bin/bash"
[isolation]
"~/.ssh" = "host"
TOML
packed "$work/ssh.appv" -m "$work/ssh.toml" || bad "pack the package asking for ~/.ssh"
appv_has_run
mkdir -p "$HOME/Documents" && echo secret > "$HOME/Documents/doc.txt"
mkdir -m 700 "$HOME/.ssh" && echo key > "$HOME/.ssh/id_test"
snapshot home "$HOME/Documents" "$HOME/.ssh"
parent=$(dirname "$HOME")  # the scenario's /home: the directory holding $HOME
run() { "$A" run --temp "$@" 2>&1; }

# --isolate ~=full hides Documents (a deeper default rule) and takes the writes.
same "by default the app sees Documents" "secret" "$(run "$work/bash.appv" -c 'cat ~/Documents/doc.txt')"
same "--isolate ~=full hides Documents" "" \
  "$(run --isolate '~=full' "$work/bash.appv" -c 'exec 2>/dev/null; cat ~/Documents/doc.txt; echo x > ~/Documents/new; ls -A ~')"
check "--dry-run shows Documents' rule overridden, and by what" grep -qF \
  "$HOME/Documents merged default (\$HOME: documents): not applied, overridden by $HOME full (--isolate)" \
  <<<"$("$A" run --dry-run --isolate '~=full' "$work/bash.appv" | tr -s ' ')"

# The manifest's ~/.ssh=host without a policy granting it: the app gets its own copy.
if [[ $me == root ]]; then save_etc; fi
attack='echo pwn >> ~/.ssh/id_test; echo new > ~/.ssh/planted; cat ~/.ssh/id_test | tr "\n" " "'
if [[ ! -e /etc/appv/policy.toml ]]; then
  same "no policy: the manifest's ~/.ssh=host is refused, the app writes its copy" "key pwn " "$(run "$work/ssh.appv" -c "$attack")"
  check "--dry-run says the rule was refused by policy" grep -qF \
    "$HOME/.ssh host manifest: not applied, refused by policy: no policy.toml grants host_paths covering $HOME/.ssh" \
    <<<"$("$A" run --dry-run "$work/ssh.appv" | tr -s ' ')"
fi
if [[ $me == root ]]; then
  mkdir -p /etc/appv
  printf '[[rule]]\napps = "org.example.*"\nhost_paths = ["~", "/srv"]\n' > /etc/appv/policy.toml
  same "a broad grant (~) does not reach ~/.ssh" "key pwn " "$(run "$work/ssh.appv" -c "$attack")"
  check "--dry-run names the sensitive path" grep -qF "grants no host_paths naming $HOME/.ssh itself" \
    <<<"$("$A" run --dry-run "$work/ssh.appv")"
  printf '[[rule]]\napps = "org.example.*"\nhost_paths = ["~/.ssh"]\n' > /etc/appv/policy.toml
  same "granted by name, --isolate ~=full still takes it back" "" \
    "$(run --isolate '~=full' "$work/ssh.appv" -c "exec 2>/dev/null; $attack; ls -A ~/.ssh")"
  same "granted by name, --isolate <the homes>=full takes it back" "" \
    "$(run --isolate "$parent=full" "$work/ssh.appv" -c "exec 2>/dev/null; $attack; ls -A ~/.ssh")"
  check "--dry-run shows the manifest rule overridden by the homes' rule" grep -qF \
    "$HOME/.ssh host manifest: not applied, overridden by $parent full (--isolate)" \
    <<<"$("$A" run --dry-run --isolate "$parent=full" "$work/ssh.appv" | tr -s ' ')"
fi
unchanged home
if [[ $me == root ]]; then
  # The positive control: granted by name, the rule is honoured.
  run "$work/ssh.appv" -c 'echo granted > ~/.ssh/granted' >/dev/null
  same "granted by name: the manifest's host rule is honoured" "granted" "$(cat "$HOME/.ssh/granted" 2>&1)"
  restore_etc
fi
rm -rf "$HOME/Documents" "$HOME/.ssh"

# The kernel's trees: a package asking for the host's /proc/sys, /sys/kernel or
# /dev/kmsg does not get them back (the launch narrowed them; for root they would be
# writable sysctls, kernel attributes and the kernel log). Opened, never written.
cat > kernel.toml <<TOML
id = "org.example.kernel"
version = "1"
[entry.bash]
path = "/usr/bin/bash"
[isolation]
"/proc/sys" = "host"
"/sys/kernel" = "host"
"/dev/kmsg" = "host"
"/dev" = "writecopy"
"/run/shm" = "writecopy"
TOML
packed "$work/kernel.appv" -m "$work/kernel.toml" || bad "pack the package asking for kernel trees"
# (Only what exists: /dev is a tmpfs, where a write would create a plain file.)
opens='for f in /proc/sys/kernel/hostname /sys/kernel/mm/transparent_hugepage/enabled /dev/kmsg; do
  if [[ -e $f ]] && (exec 3>>"$f") 2>/dev/null; then printf "open:%s " "$f"; else printf "refused "; fi; done'
same "a package's host rules below /proc, /sys and /dev are refused" "refused refused refused " \
  "$(run "$work/kernel.appv" -c "$opens")"
check "--dry-run says why" grep -qF "/proc/sys host manifest: not applied, refused by policy" \
  <<<"$("$A" run --dry-run "$work/kernel.appv" | tr -s ' ')"
# Nor an overlay of the host's /dev (every device node in it would open), directly or
# through a link on the host (Debian's /run/shm -> /dev/shm).
plan=$("$A" run --dry-run "$work/kernel.appv" | tr -s ' ')
check "a package's writecopy on /dev is not applied" grep -qF "/dev writecopy manifest: not applied" <<<"$plan"
if [[ $(readlink -f /run/shm) == /dev/shm ]]; then
  check "...nor on /run/shm, a link to /dev/shm" grep -qF "/run/shm writecopy manifest: not applied" <<<"$plan"
fi
same "the view's /dev is still the basic one" "no-tty1" "$(run "$work/kernel.appv" -c '[[ -e /dev/tty1 || -e /dev/kvm ]] && echo host-dev || echo no-tty1')"
finish
