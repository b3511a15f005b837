#!/usr/bin/env bash
# Install capture (appv capture): make install, and (as root) dpkg -i of a package
# the host does not have.
# Run alone: ctest -R e2e_user_capture_install (and e2e_root_capture_install, as root).
source "$1/lib.sh"
appv_has_run
echo "== install capture: make install"
proj=$work/tinyproj
mkdir -p "$proj"
if [[ $(id -u) -eq 0 ]]; then prefix=/usr/local; else prefix=$HOME/.local; fi
# The installer also deletes an old configuration file of the user's: the package
# must hide it from the app, while the host keeps it.
victim=$HOME/.config/appv-e2e-tool.old
mkdir -p "$HOME/.config"
echo "old settings" > "$victim"
cat > "$proj/tool.c" <<C
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char line[128];
  FILE* f = fopen("$prefix/share/appv-e2e-tool/greeting", "r");
  if (!f || !fgets(line, sizeof line, f)) return 4;
  fputs(line, stdout);
  printf("old config %s\\n", access("$victim", F_OK) == 0 ? "visible" : "gone");
  return 0;
}
C
echo "hello from make install" > "$proj/greeting"
printf 'PREFIX ?= /usr/local\nappv-e2e-tool: tool.c\n\tcc -O2 -o $@ tool.c\ninstall: appv-e2e-tool\n\tinstall -D -m 755 appv-e2e-tool $(PREFIX)/bin/appv-e2e-tool\n\tinstall -D -m 644 greeting $(PREFIX)/share/appv-e2e-tool/greeting\n\trm -f %s\n' "$victim" > "$proj/Makefile"
make -s -C "$proj" appv-e2e-tool PREFIX="$prefix"
# A tree's names, types, modes, sizes and times (appv's own cache and sandboxes aside).
tree_state() {
  find "$1" -xdev \( -path "$HOME/.local/share/appv" -o -path "$HOME/.cache/appv" \) -prune -o -printf '%p %y %m %s %T@\n' 2>/dev/null |
    sort | sha256sum
}
before=$(tree_state "$prefix")
check "capture make install into $prefix" bash -c "cd '$proj' && '$A' capture -q -o '$work/tool.appv' -- make -s install PREFIX='$prefix'"
same "the host's $prefix is unchanged" "$before" "$(tree_state "$prefix")"
check "the host has no appv-e2e-tool" test ! -e "$prefix/bin/appv-e2e-tool"
check "the new program is the entry point" grep -q "^entry:     appv-e2e-tool -> $prefix/bin/appv-e2e-tool  (default)$" <<<"$("$A" info tool.appv)"
same "the captured package runs it, without the file the installer deleted" "hello from make install|old config gone" \
  "$("$A" run tool.appv | tr '\n' '|' | sed 's/|$//')"
same "the host keeps the deleted file" "old settings" "$(cat "$victim")"
check "the report lists it as hidden" grep -qx "  $victim" tool.appv.report.txt
rm -rf "$HOME/.config"
check "the report lists it as installed" grep -qE "^installed .* $prefix/bin/appv-e2e-tool +installed" tool.appv.report.txt
check "the build tree's files are left out as the working directory" bash -c "! '$A' ls tool.appv | grep -q tinyproj"

if [[ $(id -u) -eq 0 ]]; then
  echo "== install capture: an installer links to a secret"
  check "capture an installer that links /etc/shadow" "$A" capture -q -o linker.appv -- /bin/sh -c \
    'mkdir -p /opt/appv-e2e-linker/bin && cp /bin/true /opt/appv-e2e-linker/bin/linker && ln -s /etc/shadow /opt/appv-e2e-linker/conf'
  check "the link is packed" bash -c "'$A' ls linker.appv | grep -q '^/opt/appv-e2e-linker/conf'"
  check "the secret it leads to is not" bash -c "! '$A' ls linker.appv | grep -q '^/etc/shadow'"
  check "the report says why" grep -qE '^  /etc/shadow +secret: .*reached through a link' linker.appv.report.txt

  echo "== install capture: dpkg -i of a package the host does not have"
  check "the host lacks hello" bash -c "! dpkg -s hello >/dev/null 2>&1 && test ! -e /usr/bin/hello"
  (cd "$work" && apt-get download hello >/dev/null 2>&1)
  deb=$(ls "$work"/hello_*.deb 2>/dev/null | head -1)
  check "apt-get download hello" test -n "$deb"
  dpkg_before=$(find /var/lib/dpkg -xdev -type f -exec sha256sum {} + | sort | sha256sum)
  usr_before=$(tree_state /usr)
  check "capture dpkg -i hello" "$A" capture -q -o hello.appv --report-json hello.json -- dpkg -i "$deb"
  same "the host's dpkg database is byte-for-byte unchanged" "$dpkg_before" "$(find /var/lib/dpkg -xdev -type f -exec sha256sum {} + | sort | sha256sum)"
  same "the host's /usr is unchanged" "$usr_before" "$(tree_state /usr)"
  same "appv run runs the installed program" "Hello, world!" "$("$A" run hello.appv)"
  same "and with /usr and /etc hidden" "captured" "$("$A" run "${FULL[@]}" hello.appv -g captured)"
  check "dpkg's own state is left out of the package" bash -c "! '$A' ls hello.appv | grep -q '^/var/lib/dpkg'"
  check "the report says why" grep -qE '^  /var/lib/dpkg/status +package manager state' hello.appv.report.txt
fi

finish
