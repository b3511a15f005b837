#!/usr/bin/env bash
# Host-side code never follows what a package or an app planted (DESIGN.md, invariant 8):
# packages whose links chain out of their root (install, install --system, verify),
# sandbox imports with links where the sandbox needs directories, links climbing out
# and a compression bomb, export and reset of a sandbox holding planted links, and the
# cache and sandboxes kept out of directories another user owns. The targets (the
# user's ~/.ssh, /etc/shadow, the icon themes) are hashed before and after.
source "$1/lib.sh"
uid=$(id -u)
mkdir -p "$HOME/.ssh" && echo "ssh-ed25519 AAAA user@host" > "$HOME/.ssh/authorized_keys"
chmod 700 "$HOME/.ssh"
appv_has_run
targets=("$HOME/.ssh" /etc/shadow /etc/passwd "$HOME/.local/share/icons" "$HOME/.local/share/applications")
[[ $uid -eq 0 ]] && targets+=(/usr/local/share/icons /usr/local/share/applications /var/lib/appv/installed /var/lib/appv/packages)
snapshot targets "${targets[@]}"

echo "== packages whose links chain out of their root"
mkdir corpus
"$work/make_hostile_corpus" "$work/corpus" >/dev/null
for name in link-chain-out link-chain-icon link-chain-later; do
  status "$name: verify says bad" 65 "$A" verify "corpus/$name.appv"
  status "$name: extract refused" 65 "$A" extract "corpus/$name.appv" "$work/x-$name"
  check "$name: nothing extracted" test ! -e "$work/x-$name"
done
err=$("$A" install "corpus/link-chain-icon.appv" 2>&1 >/dev/null)
same "install of the chained icon: refused naming the link" "65 1" "$? $(printf '%s\n' "$err" | wc -l)"
check "install of the chained icon: the message names the link" grep -q "root/a/e" <<<"$err"
check "install of the chained icon: nothing installed" bash -c "! '$A' list 2>/dev/null | grep -q org.example.test"
if [[ $uid -eq 0 ]]; then
  status "install --system of the chained icon: refused" 65 "$A" install --system "corpus/link-chain-icon.appv"
  check "install --system: nothing in /var/lib/appv/installed" bash -c "! ls /var/lib/appv/installed 2>/dev/null | grep -q org.example.test"
fi
# No copy of /etc/shadow's content anywhere appv writes (root can read it).
if [[ -r /etc/shadow ]]; then
  line=$(head -1 /etc/shadow)
  check "no copy of /etc/shadow in the home or the system icon theme" \
    bash -c "! grep -rqF -- '$line' '$HOME' /usr/local/share/icons /var/lib/appv 2>/dev/null"
fi
check "no cache entry left for the refused packages" test -z "$(find "$HOME/.cache/appv" -mindepth 1 -maxdepth 1 -type d)"

echo "== sandbox imports"
app=org.x.hostile
box=$HOME/.local/share/appv/sandboxes/$app
# archive NAME: tar+zstd of the directory src-NAME (which holds .appv-sandbox and upper).
archive() { tar --format=pax -C "src-$1" -cf - .appv-sandbox upper 2>/dev/null | zstd -q -o "$1.tar.zst"; }
source_tree() { rm -rf "src-$1"; mkdir -p "src-$1/upper/etc"; printf 'id %s\n' "$app" > "src-$1/.appv-sandbox"; echo kept > "src-$1/upper/etc/conf"; }
source_tree good && archive good
check "a sound import is accepted" "$A" sandbox import "$app" good.tar.zst
snapshot sandbox "$box/upper" "$box/state"
depth=$(tr -cd / <<<"$box/upper/opt" | wc -c)
up=$(printf '../%.0s' $(seq "$depth"))
variant() {  # variant NAME WHY: import must be refused with one line, sandbox as before
  archive "$1"
  status "import $1 refused ($2)" 65 "$A" sandbox import --replace "$app" "$1.tar.zst"
}
source_tree opt-link; ln -s "${up}${HOME#/}/.ssh" src-opt-link/upper/opt; variant opt-link "upper/opt -> ~/.ssh"
source_tree upper-root; rm -rf src-upper-root/upper; ln -s / src-upper-root/upper; variant upper-root "upper -> /"
source_tree work-link; mkdir -p src-work-link; ln -s .. src-work-link/work
tar --format=pax -C src-work-link -cf - .appv-sandbox upper work 2>/dev/null | zstd -q -o work-link.tar.zst
status "import work-link refused (work -> ..)" 65 "$A" sandbox import --replace "$app" work-link.tar.zst
source_tree deep-out; ln -s "../../${up}${HOME#/}/.ssh" src-deep-out/upper/etc/keys; variant deep-out "upper/etc/keys climbs out"
source_tree chain; mkdir src-chain/upper/etc/a; ln -s .. src-chain/upper/etc/a/up; ln -s up/.. src-chain/upper/etc/a/e1
ln -s e1/.. src-chain/upper/etc/a/e2; ln -s a/e2/home src-chain/upper/etc/h; variant chain "a chain of links each inside"
source_tree through; mkdir -p src-through/upper/etc/d; ln -s /etc src-through/upper/etc/d/l
tar --format=pax -C src-through -cf - .appv-sandbox upper 2>/dev/null > through.tar
# A file below the link, written by hand into the archive's order.
mkdir -p fake/upper/etc/d/l && echo pwned > fake/upper/etc/d/l/appv-through
tar --format=pax -C fake -rf through.tar upper/etc/d/l/appv-through && zstd -q -f through.tar -o through.tar.zst
status "import through refused (a file below a link)" 65 "$A" sandbox import --replace "$app" through.tar.zst
# A compression bomb: a 1 GiB sparse file, a few tens of kB once compressed; the
# import stops at its ratio check after 16 MiB, long before the disk fills.
source_tree bomb; truncate -s 1G src-bomb/upper/etc/zeros; archive bomb
check "the bomb is small" test "$(stat -c %s bomb.tar.zst)" -lt $((1 << 20))
status "import bomb refused" 65 "$A" sandbox import --replace "$app" bomb.tar.zst
check "no import staging left" bash -c "! ls -A '$(dirname "$box")' | grep -q '^\.import-'"
unchanged sandbox
check "no file written through a link" test ! -e /etc/appv-through

echo "== export and reset of a sandbox holding planted links"
ln -s "$HOME/.ssh" "$box/upper/etc/ssh-abs"
ln -s "../../${up}${HOME#/}/.ssh" "$box/upper/etc/ssh-rel"
ln -s /etc "$box/upper/etc/etc-abs"
check "export" "$A" sandbox export "$app" out.tar.zst
check "the export holds the links as links, no content from behind them" \
  bash -c "zstd -dc out.tar.zst | tar -tvf - | grep -q '^l.*etc/ssh-abs' && ! zstd -dc out.tar.zst | grep -aq 'ssh-ed25519'"
# The registry's keyfile in the sandbox, replaced by the app with a link to a host file.
kf=$box/upper$HOME/.config/glib-2.0/settings/keyfile
printf '[org/x/app]\nsecret=%s\n' "'TOPSECRET'" > "$work/host-keyfile"
mkdir -p "$(dirname "$kf")" && ln -s "$work/host-keyfile" "$kf"
check "registry list reads nothing through a planted link" \
  bash -c "! '$A' registry list '$app' 2>&1 | grep -q 'TOPSECRET'"
check "reset" "$A" sandbox reset "$app"
check "reset removed the links only" test ! -e "$box/upper"

echo "== the cache and sandboxes only in the user's own directories"
if [[ $uid -eq 0 ]]; then
  other=$(mktemp -d "$work/other.XXXXXX"); chown nobody "$other"
  status "root with XDG_DATA_HOME owned by another user" 77 env XDG_DATA_HOME="$other" "$A" sandbox import "$app" good.tar.zst
  pack_jq || bad "pack jq"
  status "root with XDG_CACHE_HOME owned by another user" 77 env XDG_CACHE_HOME="$other" "$A" run jq.appv -n 1
  check "nothing written in the other user's directory" test -z "$(ls -A "$other")"
  # Root with a user's HOME (sudo -E, su without -): the user's install record would say
  # what root's uninstall removes, their ~/.local/bin where root's links go.
  victim=$work/root-only; echo precious > "$victim"; chmod 600 "$victim"
  userhome=$(mktemp -d "$work/userhome.XXXXXX")
  mkdir -p "$userhome/.local/share/appv/installed"
  printf 'id org.x.forged\nversion 1\npackage /nonexistent\nfile %s\n' "$victim" > "$userhome/.local/share/appv/installed/org.x.forged.record"
  ln -s /usr/local/bin "$userhome/.local/bin"
  chown -R nobody "$userhome"; chown -h nobody "$userhome/.local/bin"
  status "root's uninstall with a user's HOME is refused" 77 env HOME="$userhome" XDG_DATA_HOME= "$A" uninstall org.x.forged
  status "root's install with a user's HOME is refused" 77 env HOME="$userhome" XDG_DATA_HOME= "$A" install jq.appv
  status "root's list with a user's HOME is refused" 77 env HOME="$userhome" XDG_DATA_HOME= "$A" list
  same "the file the user's record names is still there" precious "$(cat "$victim")"
  rm -rf "$other" "$userhome" "$victim"
else
  status "a user with XDG_DATA_HOME owned by root" 77 env XDG_DATA_HOME=/usr/local "$A" sandbox import "$app" good.tar.zst
fi

unchanged targets
rm -rf "$HOME/.ssh" "$HOME/.local/share/appv/sandboxes/$app"
finish
