#!/usr/bin/env bash
# An overlay refused on a kernel that allows overlayfs in user namespaces (this one,
# 6.x): the user's home on overlayfs, as inside a container, where the sandbox's upper
# directories cannot be (overlayfs takes no upper layer on overlayfs). The message
# names that, not a kernel version, and its way out works.
# Run alone: ctest -R refusals_overlay_upper (as root).
source "$1/lib.sh"
source "$work/scenarios/refusal-lib.sh"
control
echo "== an overlay refused: the user's home on overlayfs"
layers=$work/home-layers
mkdir -p "$layers/lower" "$layers/upper" "$layers/work" "$layers/merged"
chmod -R 755 "$layers"
# on_overlay_home CMD...: CMD as the test user (nothing refused) whose HOME is on an
# overlay mounted in a mount namespace of the test's.
on_overlay_home() {
  unshare --mount --propagation private -- bash -c 'mount -t overlay home-on-overlay \
    -o "lowerdir=$1/lower,upperdir=$1/upper,workdir=$1/work" "$1/merged" && shift && exec "$@"' _ "$layers" \
    "$work/as-refused-user" none --home "$layers/merged/home" -- "$@"
}
same "the harness: the home is on overlayfs" "overlayfs" "$(on_overlay_home stat -f -c %T "$layers/merged/home")"
status "status 69 and one line" 69 on_overlay_home ./appv run jq.appv -n 1
err=$(on_overlay_home ./appv run jq.appv -n 1 2>&1)
echo "     message: $err"
check "it names the overlay that failed" grep -qF "appv: cannot mount overlay on '" <<<"$err"
check "it says why: the sandbox is on overlayfs" grep -qF "/.local/share/appv/sandboxes/jq/upper/" <<<"$err"
check "  ... which overlayfs cannot take as an upper layer" \
  grep -qF "is on overlayfs (a container's root file system, for one), which overlayfs cannot take as an upper layer" <<<"$err"
check "and the way out" grep -qF "set XDG_DATA_HOME to a directory on another file system" <<<"$err"
lacks "no kernel version is blamed" "5.11" "$err"
mkdir -m 700 "$work/data"
chown appv-e2e: "$work/data"
same "the way out works: XDG_DATA_HOME on another file system" "1" \
  "$(on_overlay_home env "XDG_DATA_HOME=$work/data" ./appv run jq.appv -n 1 2>&1)"
finish
