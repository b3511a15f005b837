#!/usr/bin/env bash
# Hostile registries: a registry's answers are hostile input. The user's login goes only
# to the registry's own origin (not to a redirect target, a tag-list Link elsewhere or
# a plain-HTTP token realm on another machine); downloads stop at their declared size
# (blobs) or at fixed caps (manifests, tag lists, token answers) and keep nothing; the
# registry's strings are printed escaped. The registry is tests/tools/hostile_registry.py
# on loopback; its "other host" is another port (another origin) that logs whether an
# Authorization header reached it.
source "$1/lib.sh"
cd "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pack_jq || bad "pack jq"
P=$(free_port) Q=$(free_port)
while [[ $Q == "$P" ]]; do Q=$(free_port); done
logs=$work/hostile-logs
mkdir -p "$logs"
python3 "$work/hostile_registry.py" "$P" "$Q" "$work/jq.appv" "$("$A" info jq.appv | sed -n 's/^id: *//p')" "$logs" 2>"$logs/server.err" &
server=$!
for _ in $(seq 100); do [[ -e $logs/ready ]] && break; sleep 0.1; done
[[ -e $logs/ready ]] || { bad "the hostile registry started: $(cat "$logs/server.err")"; finish; }
reg=127.0.0.1:$P
store=$HOME/.cache/appv/oci
# as_alice APPV_ARGS...: appv logged in with the registry's password.
as_alice() { printf 's3cret\n' | "$A" "$@" --username alice --password-stdin; }
# err_of APPV_ARGS...: stderr of a logged-in appv command.
err_of() { as_alice "$@" 2>&1 >/dev/null; }
no_login_elsewhere() { same "$1: no Authorization reached the other host" "" "$(grep 'auth=yes' "$logs/other.log" 2>/dev/null)"; }
nothing_kept() { same "$1: nothing partial in the store" "" "$(find "$store" -type f 2>/dev/null)"; }
snapshot home "$HOME/.docker" "$HOME/.config"

echo "== the control: a well-behaved repository"
check "pull from the hostile registry's plain repository" bash -c "printf 's3cret\n' | '$A' pull '$reg/plain/app:1' -o plain.appv --username alice --password-stdin >/dev/null"
check "the pulled file is the package" cmp -s jq.appv plain.appv
status "without the login: 77" 77 "$A" pull "$reg/plain/app:1" -o nologin.appv
rm -rf "$store"

echo "== redirects: followed without the login"
: > "$logs/other.log"
check "a blob redirected to another host (a CDN) is fetched there" bash -c "printf 's3cret\n' | '$A' pull '$reg/redirect/app:1' -o cdn.appv --username alice --password-stdin >/dev/null"
check "and is the package" cmp -s jq.appv cdn.appv
check "the other host was asked for the blob" grep -q "^GET /cdn/sha256:.* auth=no$" "$logs/other.log"
no_login_elsewhere "redirect"
rm -rf "$store"
status "a redirect loop is refused (65)" 65 as_alice pull "$reg/redirloop/app:1" -o loop.appv
check "saying so" grep -q "redirected .* more than 5 times" <<<"$(err_of pull "$reg/redirloop/app:1" -o loop.appv)"
nothing_kept "redirect loop"

echo "== tag-list Links"
: > "$logs/other.log"
status "a Link to another host is refused (65)" 65 as_alice tags "$reg/link/app"
check "naming it" grep -q "sent a tag-list Link to another host ('http://127.0.0.1:$Q/" <<<"$(err_of tags "$reg/link/app")"
status "a protocol-relative Link to another host is refused (65)" 65 as_alice tags "$reg/linkrel/app"
same "the other host got no request" "" "$(cat "$logs/other.log")"
same "a Link to the registry's next page is followed" "one two" "$(as_alice tags "$reg/linkok/app" | tr '\n' ' ' | sed 's/ $//')"

echo "== a front that answers 200 to a HEAD of any blob"
: > "$logs/main.log"
check "a push to it" bash -c "printf 's3cret\n' | '$A' push jq.appv '$reg/liar/app:1' --username alice --password-stdin >/dev/null"
package_digest=sha256:$(sha256sum jq.appv | cut -d' ' -f1)
check "uploads the package all the same (the 200 named no size)" \
  grep -q "^PUT /v2/liar/app/blobs/uploads/one?digest=$package_digest auth=yes$" "$logs/main.log"
same "and the config blob: two uploads" 2 "$(grep -c '^PUT /v2/liar/app/blobs/uploads/' "$logs/main.log")"
check "what it now holds pulls back" bash -c "printf 's3cret\n' | '$A' pull '$reg/liar/app:1' -o liar.appv --username alice --password-stdin >/dev/null"
check "as the package" cmp -s jq.appv liar.appv
rm -rf "$store"

echo "== token realms"
: > "$logs/other.log"
status "a plain-HTTP token realm on another machine gets no login (77)" 77 as_alice pull "$reg/realm/app:1" -o realm.appv
check "saying so" grep -q "is plain HTTP to another machine; not sending the login from --username there" <<<"$(err_of pull "$reg/realm/app:1" -o realm.appv)"
no_login_elsewhere "realm"
status "a token answer that never ends is cut off (65)" 65 as_alice tags "$reg/bigtoken/app"
check "at 1 MiB" grep -q "sent more than 1048576 bytes for http://127.0.0.1:$P/bigtoken" <<<"$(err_of tags "$reg/bigtoken/app")"

echo "== sizes"
rm -rf "$store"
status "a blob that streams past its declared size is refused (65)" 65 as_alice pull "$reg/bigblob/app:1" -o big.appv
err=$(err_of pull "$reg/bigblob/app:1" -o big.appv)
check "naming the declared size" grep -q "sent more than the $(stat -c %s jq.appv) bytes declared for sha256:.*; nothing was kept" <<<"$err"
check "the server could not push 300 MiB (the client hung up)" bash -c "! grep -q 'sent 31457.... bytes of /v2/bigblob' '$logs/main.log'"
nothing_kept "oversized blob"
check "no output file" test ! -e big.appv
status "a blob of the right size and the wrong bytes is refused (65)" 65 as_alice pull "$reg/baddigest/app:1" -o bad.appv
nothing_kept "wrong digest"
status "a manifest that never ends is cut off (65)" 65 as_alice pull "$reg/bigmanifest/app:1" -o m.appv
check "at 4 MiB" grep -q "sent more than 4194304 bytes for http://127.0.0.1:$P/v2/bigmanifest/app/manifests/1" <<<"$(err_of pull "$reg/bigmanifest/app:1" -o m.appv)"
status "a tag list that never ends is cut off (65)" 65 as_alice tags "$reg/bigtags/app"
nothing_kept "oversized answers"

echo "== the registry's strings are printed escaped"
out=$(as_alice tags "$reg/esc/app")
check "no escape byte reaches the terminal" bash -c "! grep -q \$'\\x1b\\|\\x07' <<<'$out'"
same "the tags are shown escaped" 'v1\x1b]0;owned\x07 v2\x1b[2J' "$(tr '\n' ' ' <<<"$out" | sed 's/ $//')"

echo "== a hostile manifest's strings are printed escaped"
# A version is one line of printable text (it goes into install records): refused.
printf 'id = "org.example.esc"\nversion = "1\\u001b[2J\\r"\n[entry.esc]\npath = "/bin/true"\n' > esc-version.toml
status "pack refuses a version with terminal controls (65)" 65 "$A" pack -q -m esc-version.toml -o esc-version.appv
printf 'id = "org.example.esc"\nname = "evil\\u001b]0;owned\\u0007\\u009b31m"\nversion = "1"\n[entry.esc]\npath = "/bin/true"\n' > esc.toml
"$A" pack -q -m esc.toml -o esc.appv || bad "pack a package with escapes in its manifest"
raw() { LC_ALL=C grep -c $'[\x1b\x07\r]\|\xc2\x9b\|\xe2\x80\xae' <<<"$1"; }
for cmd in info verify install list; do
  if [[ $cmd == list ]]; then out=$("$A" list 2>&1); else out=$("$A" "$cmd" esc.appv 2>&1); fi
  same "$cmd prints no terminal control of the manifest's" "0" "$(raw "$out")"
done
check "info shows them escaped" grep -qF 'name:      evil\x1b]0;owned\x07\u009b31m' <<<"$("$A" info esc.appv)"
check "install names what it installed" grep -qF 'installed org.example.esc 1 as ' <<<"$("$A" install esc.appv 2>&1)"
"$A" uninstall org.example.esc >/dev/null 2>&1

echo "== sync: the same rules for managed deployment"
auth=$work/auth.json
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$reg" "$(printf 'alice:s3cret' | base64)" > "$auth"
printf 'auth_file = "%s"\n[[app]]\nref = "%s/bigblob/app:1"\n' "$auth" "$reg" > apps-big.toml
: > "$logs/other.log"
status "sync of an oversized blob fails (65)" 65 "$A" sync --config apps-big.toml
same "and installs nothing" "" "$(find "$HOME/.local/share/appv" -name '*.appv' 2>/dev/null)"
same "nothing partial in sync's store" "" "$(find "$HOME/.local/share/appv/oci" -type f 2>/dev/null)"
printf 'auth_file = "%s"\n[[app]]\nref = "%s/redirect/app:1"\n' "$auth" "$reg" > apps-cdn.toml
check "sync of a redirected blob installs it" bash -c "'$A' sync --config apps-cdn.toml >/dev/null"
no_login_elsewhere "sync redirect"
"$A" uninstall jq >/dev/null 2>&1
rm -rf "$HOME/.local/share/appv/oci" "$HOME/.local/share/appv/packages" "$HOME/.local/share/appv/installed" 2>/dev/null

kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
unchanged home
finish
