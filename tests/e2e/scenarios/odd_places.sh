#!/usr/bin/env bash
# Where people start appv from and keep their packages: a first run (the package is
# extracted) from a working directory the user may no longer enter (`sudo -u USER`
# from root's home), and an install of a package on another file system than the
# home (a download in /dev/shm or a tmpfs /tmp, installed into ~/.local/share).
# Run alone: ctest -R e2e_user_odd_places (and e2e_root_odd_places, as root).
source "$1/lib.sh"
echo "== odd places"
pack_jq || bad "pack jq"

# A working directory without rights: made here, entered, then its mode taken away
# (root may enter anything: this part means something for a user).
mkdir -p "$work/shut"
out=$(cd "$work/shut" && chmod 0 "$work/shut" && echo '{"a":7}' | "$A" run "$work/jq.appv" .a 2>&1); rc=$?
chmod 700 "$work/shut"
same "a first run from a directory the user cannot enter extracts and runs" "0 7" "$rc $out"
same "...and the stub does too" "0 8" \
  "$(cd "$work/shut" && chmod 0 "$work/shut" && rm -rf "$HOME/.cache/appv" &&
     out=$(echo '{"a":8}' | "$work/jq.appv" .a 2>&1); echo "$? $out"; chmod 700 "$work/shut")"

# A package on another file system than the home: copied across, not by reflink.
shm=$(mktemp -d /dev/shm/appv-e2e-odd.XXXXXX)
cp "$work/jq.appv" "$shm/jq.appv"
check "the package and the home are on different file systems" test "$(stat -c %d "$shm")" != "$(stat -c %d "$HOME")"
system=(); [[ $(id -u) -eq 0 ]] && system=(--system)
check "install a package from another file system" "$A" install -q "${system[@]}" "$shm/jq.appv"
installed=$("$A" list "${system[@]}" --json | jq -r '.[] | select(.id == "jq") | .package')
check "...the installed copy is the package, byte for byte" cmp "$shm/jq.appv" "$installed"
same "...and it runs by id" 9 "$(echo '{"a":9}' | "$A" run jq .a)"
check "uninstall it" "$A" uninstall -q "${system[@]}" jq
rm -rf "$shm"
# appv's sandboxes on another disk through a link (XDG_DATA_HOME/appv/sandboxes ->
# elsewhere): the app's sandbox lands where the link leads, and every view hides that
# directory, which the app could reach by its own path.
mkdir -p "$work/xdg/appv" "$work/elsewhere/org.other.app/upper"
echo '{"secret":1}' > "$work/elsewhere/org.other.app/upper/secret.json"
ln -s "$work/elsewhere" "$work/xdg/appv/sandboxes"
for backend in ns ptrace; do
  out=$(echo '{"a":3}' | XDG_DATA_HOME=$work/xdg "$A" run --backend "$backend" "$work/jq.appv" .a 2>&1); rc=$?
  same "$backend: sandboxes reached through a link: the launch runs" "0 3" "$rc $out"
  check "$backend: ...its sandbox is where the link leads" test -d "$work/elsewhere/jq/upper"
  out=$(XDG_DATA_HOME=$work/xdg "$A" run --backend "$backend" "$work/jq.appv" . "$work/elsewhere/org.other.app/upper/secret.json" 2>&1); rc=$?
  same "$backend: ...another app's sandbox is hidden at the link's end" "2" "$rc"
  rm -rf "$work/elsewhere/jq"
done

# A first launch from a new home with a mount below it (a disk at ~/disk): the home is
# split around the mount, and appv's own directories, made after the plan, are not in
# that view at all (nothing to hide there). Mounting needs root.
if [[ $(id -u) -eq 0 ]]; then
  mkdir -p "$work/new-home/disk"
  mount -t tmpfs appv-e2e-odd "$work/new-home/disk"
  out=$(echo '{"a":4}' | HOME=$work/new-home "$A" run "$work/jq.appv" .a 2>&1); rc=$?
  umount "$work/new-home/disk"
  same "a first launch with a mount below a new home runs" "0 4" "$rc $out"
fi

finish
