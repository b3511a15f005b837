#!/usr/bin/env bash
# OCI registries (plain, Bearer token, TLS with htpasswd; a pull cut off and
# resumed; signatures and policy through a registry) and managed deployment (sync,
# update, rollback, the systemd units).
# Run alone: ctest -R e2e_user_distribution (and e2e_root_distribution, as root).
source "$1/lib.sh"
# What the signing and desktop scenarios make and test, made here without checks: the
# keys and signed packages the registry's signature matrix pulls, and the GUI package
# that sync installs with its desktop entry.
make_fixtures() {
  mkdir -p keys
  "$A" keygen release --dir keys >/dev/null && "$A" keygen intruder --dir keys >/dev/null &&
    packed unsigned.appv /usr/bin/jq && cp unsigned.appv trusted.appv && cp unsigned.appv untrusted.appv &&
    "$A" sign trusted.appv --key keys/release.key >/dev/null &&
    "$A" sign trusted.appv --key keys/intruder.key --signer "second opinion" >/dev/null &&
    "$A" sign untrusted.appv --key keys/intruder.key >/dev/null || return 1
  local offset
  offset=$(info_field trusted.appv .payload.offset)
  cp trusted.appv tampered-payload.appv
  printf '\x5a' | dd of=tampered-payload.appv bs=1 seek=$((offset + 300)) conv=notrunc status=none
  pack_sqlite3 && xmessage_manifest && packed "$work/my apps/xmessage.appv" -m xmessage-gui.toml
}
make_fixtures || bad "make the signed packages and the GUI package this scenario pushes"
echo "== OCI registries"
cd "$work"
for tool in docker-registry skopeo openssl htpasswd; do
  command -v "$tool" >/dev/null || bad "$tool is installed (scripts/install-deps --test)"
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_registry DIR [tls]: serves DIR/data on a free loopback port; sets REG and REG_PID.
start_registry() {
  local dir=$1 mode=${2:-plain} port
  mkdir -p "$dir/data"
  port=${REG_PORT_FOR[$dir]:-$(free_port)}
  REG_PORT_FOR[$dir]=$port
  {
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n    enabled: true\n' "$dir"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    if [[ $mode == tls ]]; then
      printf '  tls:\n    certificate: %s/cert.pem\n    key: %s/key.pem\n' "$dir" "$dir"
      printf 'auth:\n  htpasswd:\n    realm: appv-test\n    path: %s/htpasswd\n' "$dir"
    elif [[ $mode == token ]]; then
      printf 'auth:\n  token:\n    realm: http://%s/token\n    service: appv-test\n    issuer: appv-test-issuer\n' "$TOKEN_SERVER"
      printf '    rootcertbundle: %s/token.crt\n' "$dir"
    fi
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  REG_PID=$!
  REG=127.0.0.1:$port
  local scheme=http
  [[ $mode == tls ]] && scheme=https
  [[ $mode == token ]] && REG_TOKEN_DIR=$dir
  for _ in $(seq 100); do
    python3 - "$scheme://$REG/v2/" <<'PY' 2>/dev/null && return 0
import ssl, sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], context=ssl._create_unverified_context(), timeout=1)
except urllib.error.HTTPError:
    pass  # 401 from an htpasswd registry: it is up
PY
    sleep 0.1
  done
  bad "the registry in $dir started (log: $(cat "$dir/log"))"
}
stop_registry() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
declare -A REG_PORT_FOR=()

# --- plain HTTP on loopback -----------------------------------------------------
start_registry "$work/reg-plain"
plain=$REG plain_pid=$REG_PID
"$A" pack -q /usr/bin/jq -o reg-jq.appv
out=$("$A" push reg-jq.appv "$plain/tools/jq:1.6")
check "push a package to a tag" grep -q "^pushed jq 0 to $plain/tools/jq:1.6" <<<"$out"
digest=$(sed -n 's/^digest: //p' <<<"$out")
check "push prints the manifest digest" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$digest"
check "a second tag for the same package" grep -q "already in the registry" <<<"$("$A" push reg-jq.appv "$plain/tools/jq:latest")"
same "tags lists both" "1.6 latest" "$("$A" tags "$plain/tools/jq" | sort | tr '\n' ' ' | sed 's/ $//')"
check "pull by tag" bash -c "'$A' pull '$plain/tools/jq:1.6' -o pulled.appv >/dev/null"
check "the pulled file is the pushed one" cmp -s reg-jq.appv pulled.appv
check "and runs by itself" test -x pulled.appv
check "pull by digest" "$A" pull "$plain/tools/jq@$digest" -o pulled-d.appv
check "same bytes" cmp -s reg-jq.appv pulled-d.appv
same "pulling what is already there: up to date, 0" "jq 0: up to date (pulled-d.appv is $plain/tools/jq@$digest)" \
  "$("$A" pull "$plain/tools/jq@$digest" -o pulled-d.appv 2>&1 | head -1)"
check "pulling it again exits 0, the file kept" bash -c "'$A' pull '$plain/tools/jq:1.6' -o pulled-d.appv >/dev/null && cmp -s reg-jq.appv pulled-d.appv"
same "pull -q prints nothing" "" "$("$A" pull -q "$plain/tools/jq:1.6" -o pulled-q.appv 2>&1)"
check "and pulls" cmp -s reg-jq.appv pulled-q.appv
same "push -q prints nothing" "" "$("$A" push -q reg-jq.appv "$plain/tools/quiet:1" 2>&1)"
echo keep > precious.appv
status "pull does not overwrite a file without --force" 64 "$A" pull "$plain/tools/jq:1.6" -o precious.appv
same "the file is unchanged" "keep" "$(cat precious.appv)"
same "run oci:// pulls and runs" "3" "$(echo '{"a":3}' | "$A" run "oci://$plain/tools/jq:1.6" -- .a 2>/dev/null)"
same "run oci:// by digest" "4" "$(echo '{"a":4}' | "$A" run "oci://$plain/tools/jq@$digest" -- .a 2>/dev/null)"
raw=$(skopeo inspect --raw --tls-verify=false "docker://$plain/tools/jq:1.6")
same "skopeo inspect shows appv's artifact type" "application/vnd.appv.package.v1" "$(jq -r .artifactType <<<"$raw")"
same "and the app id annotation" "jq" "$(jq -r '.annotations["io.appv.app.id"]' <<<"$raw")"
check "skopeo copies the artifact to another repository" \
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$plain/tools/jq:1.6" "docker://$plain/mirror/jq:1.6"
same "appv runs the copy" "5" "$(echo '{"a":5}' | "$A" run "oci://$plain/mirror/jq:1.6" -- .a 2>/dev/null)"
status "a missing tag: 66" 66 "$A" pull "$plain/tools/jq:9.9" -o none.appv
status "a missing repository: 66" 66 "$A" tags "$plain/tools/nothing"
status "a reference without registry: 64" 64 "$A" pull jq:1.6
status "a bad tag: 64" 64 "$A" pull "$plain/tools/jq:-bad"
status "push to a digest: 64" 64 "$A" push reg-jq.appv "$plain/tools/jq@$digest"
status "push of something that is not a package: 65" 65 "$A" push precious.appv "$plain/tools/jq:bad"
# A container image (config of an image's media type) is not an appv package.
python3 - "$plain" <<'PY'
import hashlib, json, sys, urllib.request
reg = sys.argv[1]
def put_blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    loc = urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/other/image/blobs/uploads/", method="POST")).headers["Location"]
    urllib.request.urlopen(urllib.request.Request(f"{loc}&digest={d}", data=data, method="PUT",
        headers={"Content-Type": "application/octet-stream"}))
    return d, len(data)
cd, cs = put_blob(b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
ld, ls = put_blob(b"not a layer")
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
     "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
     "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}
urllib.request.urlopen(urllib.request.Request(f"http://{reg}/v2/other/image/manifests/v1", data=json.dumps(m).encode(),
    method="PUT", headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
PY
err=$("$A" pull "$plain/other/image:v1" -o image.appv 2>&1 >/dev/null); rc=$?
same "a container image is refused (65)" 65 "$rc"
check "saying it is a container image" grep -q "is a container image, not an appv package" <<<"$err"
check "nothing written" test ! -e image.appv
# Bytes in the registry's storage that no longer match their digest.
"$A" pack -q /usr/bin/sqlite3 -o reg-sqlite.appv
"$A" push reg-sqlite.appv "$plain/tools/sqlite3:1" >/dev/null
blob=$(sha256sum reg-sqlite.appv | cut -d' ' -f1)
printf 'XXXX' | dd of="$work/reg-plain/data/docker/registry/v2/blobs/sha256/${blob:0:2}/$blob/data" bs=1 seek=5000 conv=notrunc status=none
err=$("$A" pull "$plain/tools/sqlite3:1" -o sqlite-bad.appv 2>&1 >/dev/null); rc=$?
same "a blob whose bytes do not match its digest is refused (65)" 65 "$rc"
check "and said so" grep -q "digest does not match" <<<"$err"
check "no output file" test ! -e sqlite-bad.appv
check "no blob in the cache, no download left" test ! -e "$HOME/.cache/appv/oci/blobs/sha256/$blob" -a ! -e "$HOME/.cache/appv/oci/downloads/$blob"

# A registry not on loopback gets plain HTTP only with --insecure. As root, a name
# in /etc/hosts stands for such a registry (it resolves to 127.0.0.1, but appv judges
# by the name the user wrote, as it must before resolving).
if [[ $(id -u) -eq 0 ]]; then
  cp /etc/hosts hosts.saved
  echo "127.0.0.1 appv-e2e-registry.invalid" >> /etc/hosts
  far=appv-e2e-registry.invalid:${plain##*:}
  err=$("$A" tags "$far/tools/jq" 2>&1 >/dev/null); rc=$?
  same "plain HTTP to a registry not on loopback is refused (69)" 69 "$rc"
  check "saying --insecure would allow it" grep -q "plain HTTP is used only for a loopback registry or with --insecure" <<<"$err"
  same "--insecure allows it" "1.6 latest" "$("$A" tags --insecure "$far/tools/jq" | sort | tr '\n' ' ' | sed 's/ $//')"
  cat hosts.saved > /etc/hosts
fi

# --- the registry stopped mid-pull -----------------------------------------------
# A package with 6 MiB of incompressible bytes, pulled at 500 KiB/s; the registry is
# killed once some of it has arrived.
mkdir -p bigapp
head -c $((6 << 20)) /dev/urandom > bigapp/blob
printf 'id = "bigapp"\nversion = "1"\n[entry.jq]\npath = "/usr/bin/jq"\n[files]\ninclude = ["%s/bigapp/blob"]\n' "$work" > bigapp.toml
if "$A" pack -q -m bigapp.toml -o big.appv 2>pack.err; then
  "$A" push big.appv "$plain/tools/big:1" >/dev/null
  bighex=$(sha256sum big.appv | cut -d' ' -f1)
  dl=$HOME/.cache/appv/oci/downloads/$bighex
  "$A" pull --limit-rate 500K "$plain/tools/big:1" -o big-pulled.appv > pull.out 2> pull.err &
  pull_pid=$!
  for _ in $(seq 100); do [[ $(stat -c %s "$dl" 2>/dev/null || echo 0) -gt 500000 ]] && break; sleep 0.1; done
  kill -9 "$plain_pid"; wait "$plain_pid" 2>/dev/null
  wait "$pull_pid"; rc=$?
  same "a pull cut off by the registry's death fails (69)" 69 "$rc"
  check "with one line saying it was interrupted and can resume" \
    bash -c "[[ \$(wc -l < pull.err) -eq 1 ]] && grep -q 'download interrupted at .* (run the command again to resume)' pull.err"
  check "no output file, no temporary beside it" bash -c "! ls -A | grep -q '^big-pulled'"
  check "no package in the cache" test ! -e "$HOME/.cache/appv/oci/blobs/sha256/$bighex"
  status "run oci:// does not run the partial download" 69 "$A" run "oci://$plain/tools/big:1" --version
  start_registry "$work/reg-plain"
  plain_pid=$REG_PID
  "$A" pull "$plain/tools/big:1" -o big-pulled.appv > pull.out 2> pull.err
  same "the next pull succeeds" 0 "$?"
  check "by resuming the download" grep -q "^appv: resuming pulling $plain/tools/big:1 at " pull.err
  check "the resumed package is byte-identical" cmp -s big.appv big-pulled.appv
  check "and the download is gone" test ! -e "$dl"
else
  bad "pack the big package: $(cat pack.err)"
fi

# --- signatures and policy through the registry ------------------------------------
for p in unsigned trusted untrusted tampered-payload; do "$A" push "$p.appv" "$plain/sig/jq:$p" >/dev/null; done
pushed_ref() { echo "oci://$plain/sig/jq:$1"; }
oci_matrix() { matrix_of pushed_ref unsigned trusted untrusted tampered-payload; }
same "oci://, no policy: signed or not runs, tampered is refused (65)" \
  "unsigned=0 trusted=0 untrusted=0 tampered-payload=65" "$(oci_matrix)"
if [[ $(id -u) -eq 0 ]]; then
  save_etc
  mkdir -p /etc/appv/trusted-keys
  cp keys/release.pub /etc/appv/trusted-keys/
  echo 'require_signature = true' > /etc/appv/policy.toml
  same "oci://, signatures required: only the trusted one runs (77 for the others)" \
    "unsigned=77 trusted=0 untrusted=77 tampered-payload=65" "$(oci_matrix)"
  restore_etc
fi

# --- a Bearer token server in front of the registry -----------------------------------
# The registry trusts tokens signed by a key the test makes; the token server (below,
# Python and openssl) hands them out for the login alice / s3cret, as Harbor, GitLab or
# a cloud registry's token service does.
tokdir=$work/reg-token
mkdir -p "$tokdir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=appv-test-token -keyout "$tokdir/token.key" \
  -out "$tokdir/token.crt" 2>/dev/null
TOKEN_SERVER=127.0.0.1:$(free_port)
python3 - "$TOKEN_SERVER" "$tokdir" > "$tokdir/token.log" 2>&1 <<'PY' &
import base64, http.server, json, subprocess, sys, time, urllib.parse
host, port = sys.argv[1].rsplit(":", 1)
key, cert = sys.argv[2] + "/token.key", sys.argv[2] + "/token.crt"
der_b64 = "".join(l for l in open(cert).read().splitlines() if "-----" not in l)
b64url = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
class Token(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            self.send_response(401); self.end_headers(); return
        access = []
        for scope in q.get("scope", []):
            kind, name, actions = scope.split(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
        claims = {"iss": "appv-test-issuer", "sub": "alice", "aud": q["service"][0], "exp": now + 600,
                  "nbf": now - 10, "iat": now, "jti": str(now), "access": access}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                             capture_output=True, check=True).stdout
        body = json.dumps({"token": signing_input + "." + b64url(sig)}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer((host, int(port)), Token).serve_forever()
PY
token_server_pid=$!
start_registry "$tokdir" token
token=$REG token_pid=$REG_PID
status "a token registry without a login: 77" 77 "$A" push reg-jq.appv "$token/tools/jq:1.6"
status "a login the token server refuses: 77" 77 bash -c "printf 'wrong\n' | '$A' push reg-jq.appv '$token/tools/jq:1.6' --username alice --password-stdin"
check "push with a Bearer token" bash -c "printf 's3cret\n' | '$A' push reg-jq.appv '$token/tools/jq:1.6' --username alice --password-stdin >/dev/null"
same "tags with a token" "1.6" "$(printf 's3cret\n' | "$A" tags "$token/tools/jq" --username alice --password-stdin)"
rm -rf "$HOME/.cache/appv"
mkdir -p "$HOME/.config/containers"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$token" "$(printf 'alice:s3cret' | base64)" > "$HOME/.config/containers/auth.json"
same "run oci:// with a token, logged in as podman saves it" "9" "$(echo '{"a":9}' | "$A" run "oci://$token/tools/jq:1.6" -- .a 2>/dev/null)"
rm -rf "$HOME/.config"
stop_registry "$token_pid"
stop_registry "$token_server_pid"

# --- TLS with a self-signed certificate, and htpasswd logins ------------------------
tlsdir=$work/reg-tls
mkdir -p "$tlsdir/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tlsdir/key.pem" -out "$tlsdir/cert.pem" 2>/dev/null
cp "$tlsdir/cert.pem" "$tlsdir/certs/ca.crt"
htpasswd -Bbn alice 'correct horse' > "$tlsdir/htpasswd" 2>/dev/null
start_registry "$tlsdir" tls
tls=$REG tls_pid=$REG_PID
ca=(--ca-file "$tlsdir/cert.pem")
err=$(printf 'correct horse\n' | "$A" push reg-jq.appv "$tls/tools/jq:1.6" --username alice --password-stdin 2>&1 >/dev/null); rc=$?
same "an untrusted certificate is refused (69)" 69 "$rc"
check "with a hint at --ca-file" grep -q "trust its CA with --ca-file" <<<"$err"
status "no login: 77" 77 "$A" push reg-jq.appv "$tls/tools/jq:1.6" "${ca[@]}"
status "a wrong password: 77" 77 bash -c "printf 'wrong\n' | '$A' push reg-jq.appv '$tls/tools/jq:1.6' --ca-file '$tlsdir/cert.pem' --username alice --password-stdin"
check "push over TLS with a login" bash -c "printf 'correct horse\n' | '$A' push reg-jq.appv '$tls/tools/jq:1.6' --ca-file '$tlsdir/cert.pem' --username alice --password-stdin >/dev/null"
status "--username without --password-stdin: 64" 64 "$A" tags "$tls/tools/jq" "${ca[@]}" --username alice
mkdir -p "$HOME/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$tls" "$(printf 'alice:correct horse' | base64)" > "$HOME/.docker/config.json"
same "tags with the login docker saved" "1.6" "$("$A" tags "$tls/tools/jq" "${ca[@]}")"
check "pull over TLS" "$A" pull "$tls/tools/jq:1.6" -o tls-jq.appv "${ca[@]}"
check "same bytes" cmp -s reg-jq.appv tls-jq.appv
rm -rf "$HOME/.cache/appv"
same "run oci:// over TLS with the saved login" "6" "$(echo '{"a":6}' | "$A" run --ca-file "$tlsdir/cert.pem" "oci://$tls/tools/jq:1.6" -- .a 2>/dev/null)"
raw=$(skopeo inspect --raw --cert-dir "$tlsdir/certs" --creds 'alice:correct horse' "docker://$tls/tools/jq:1.6")
same "skopeo inspect over TLS shows appv's artifact type" "application/vnd.appv.package.v1" "$(jq -r .artifactType <<<"$raw")"
stop_registry "$tls_pid"
warn=$(echo '{"a":7}' | "$A" run --ca-file "$tlsdir/cert.pem" "oci://$tls/tools/jq:1.6" -- .a 2>&1 >/dev/null)
same "the registry down: the copy pulled earlier still runs" "7" "$(echo '{"a":7}' | "$A" run --ca-file "$tlsdir/cert.pem" "oci://$tls/tools/jq:1.6" -- .a 2>/dev/null)"
check "with a warning" grep -q "^appv: warning: cannot reach registry .*; running the copy of $tls/tools/jq:1.6 pulled earlier" <<<"$warn"
rm -rf "$HOME/.docker"

# --- managed deployment: sync, update, rollback --------------------------------------
echo "== managed deployment (sync, update, rollback)"
cd "$work"
installs=$HOME/.local/share/appv
"$A" pack -q /usr/bin/python3 --app-version 1 -o py1.appv
"$A" pack -q /usr/bin/python3 --app-version 2 -o py2.appv
"$A" pack -q /usr/bin/python3 --app-version 3 -o py3.appv
"$A" push py1.appv "$plain/apps/py:stable" >/dev/null
printf '# the apps this machine should have\n[[app]]\nref = "%s/apps/py:stable"\n\n[[app]]\nref = "%s/tools/jq:1.6"\n' \
  "$plain" "$plain" > apps.toml
out=$("$A" sync --config apps.toml 2>&1)
same "sync installs every listed app" "python3: installed 1 ($plain/apps/py:stable)
jq: installed 0 ($plain/tools/jq:1.6)" "$out"
check "appv list names where each came from" jq -e --arg pkg "$installs/packages/python3.appv" --arg from "$plain/apps/py:stable" \
  '.[] | select(.id == "python3") | .version == "1" and .package == $pkg and .origin == $from' <<<"$("$A" list --json)"
state() { find "$HOME/.local/share" -path '*/appv/sandboxes' -prune -o -printf '%p %y %s %m %T@\n' | sort; }
before=$(state)
out=$("$A" sync --config apps.toml 2>&1)
same "a second sync fetches nothing" "python3 1: up to date ($plain/apps/py:stable)
jq 0: up to date ($plain/tools/jq:1.6)" "$out"
same "and changes nothing (names, types, sizes, modes, times)" "$before" "$(state)"
py=$installs/packages/python3.appv
"$A" run "$py" -c 'import pathlib; (pathlib.Path.home() / ".appv-e2e-state").write_text("written by v1")'
check "the app's write went to its sandbox, not the host" test ! -e "$HOME/.appv-e2e-state"
"$A" push py2.appv "$plain/apps/py:stable" >/dev/null
same "sync updates a moved tag" "python3: updated 1 -> 2 ($plain/apps/py:stable)
jq 0: up to date ($plain/tools/jq:1.6)" "$("$A" sync --config apps.toml 2>&1)"
read_state='import pathlib, sys; print(sys.argv[1], (pathlib.Path.home() / ".appv-e2e-state").read_text())'
same "the update keeps the user's sandbox" "v2 written by v1" "$("$A" run "$py" -c "$read_state" v2)"
check "and the previous version for rollback" jq -e '.[] | select(.id == "python3") | .previous_version == "1"' <<<"$("$A" list --json)"
same "rollback" "python3: rolled back 2 -> 1 ($plain/apps/py:stable)" "$("$A" rollback python3)"
same "restores the old version" "1" "$("$A" list --json | jq -r '.[] | select(.id == "python3") | .version')"
same "whose package is the one pushed as version 1" "$(sha256sum < py1.appv)" "$(sha256sum < "$py")"
same "with the same sandbox" "v1 written by v1" "$("$A" run "$py" -c "$read_state" v1)"
same "a second rollback returns to the newer one" "python3: rolled back 1 -> 2 ($plain/apps/py:stable)" "$("$A" rollback python3)"
status "rollback of an app never updated: 64" 64 "$A" rollback jq
"$A" push py3.appv "$plain/apps/py:stable" >/dev/null
same "update APP pulls from where it came from" "python3: updated 2 -> 3 ($plain/apps/py:stable)" "$("$A" update python3)"
same "update again: up to date" "python3 3: up to date ($plain/apps/py:stable)" "$("$A" update python3)"
same "update -q prints nothing" "" "$("$A" update -q python3 2>&1)"
same "sync -q prints nothing" "" "$("$A" sync -q --config apps.toml 2>&1)"
same "rollback -q prints nothing" "" "$("$A" rollback -q python3 2>&1)"
same "and rolls back" "2" "$("$A" list --json | jq -r '.[] | select(.id == "python3") | .version')"
same "a second rollback -q returns" "" "$("$A" rollback -q python3 2>&1)"
# The tag moved back to an older version: a dry run shows the plan and changes nothing;
# sync calls it a downgrade.
"$A" push py2.appv "$plain/apps/py:stable" >/dev/null
before=$(state)
same "sync --dry-run prints the plan, a downgrade named so" "python3: would be downgraded 3 -> 2 ($plain/apps/py:stable)
jq 0: up to date ($plain/tools/jq:1.6)" "$("$A" sync --dry-run --config apps.toml 2>&1)"
same "sync --dry-run changes nothing" "$before" "$(state)"
same "a tag moved back is a downgrade" "python3: downgraded 3 -> 2 ($plain/apps/py:stable)
jq 0: up to date ($plain/tools/jq:1.6)" "$("$A" sync --config apps.toml 2>&1)"
"$A" push py3.appv "$plain/apps/py:stable" >/dev/null
same "and forward again an update" "python3: updated 2 -> 3 ($plain/apps/py:stable)
jq 0: up to date ($plain/tools/jq:1.6)" "$("$A" sync --config apps.toml 2>&1)"
"$A" install reg-sqlite.appv >/dev/null 2>&1 || "$A" install sqlite3.appv >/dev/null
hand=$("$A" list --json | jq -r '.[] | select(.origin == null) | .id')
status "update of an app installed from a file: 64" 64 "$A" update "$hand"
printf '[[app]]\nref = "%s/apps/py:stable"\n' "$plain" > apps.toml
same "an app taken off the list is removed" "python3 3: up to date ($plain/apps/py:stable)
jq: removed (no longer in apps.toml)" "$("$A" sync --config apps.toml 2>&1)"
check "its package file is gone" test ! -e "$installs/packages/jq.appv"
same "the app installed by hand stays" "$(printf '%s\n' "$hand" python3 | sort | tr '\n' ' ')" "$("$A" list --json | jq -r '.[].id' | sort | tr '\n' ' ')"
# An emptied list would remove every app sync manages: refused, unless asked for.
: > apps-empty.toml
before=$(state)
err=$("$A" sync --config apps-empty.toml 2>&1); rc=$?
same "an emptied list removes nothing: 64" 64 "$rc"
check "and says why, naming the apps ($err)" \
  grep -q "^appv: apps-empty.toml would remove 1 of the 1 apps sync manages (python3): nothing was removed; .*--allow-mass-removal" <<<"$err"
same "and nothing changed" "$before" "$(state)"
same "sync --dry-run --allow-mass-removal shows the removal" "python3: would be removed (no longer in apps-empty.toml)" \
  "$("$A" sync --dry-run --allow-mass-removal --config apps-empty.toml 2>&1)"
same "and changes nothing" "$before" "$(state)"
# An app with [desktop] (the GUI package of the desktop cases) gets its menu entry.
"$A" push "$work/my apps/xmessage.appv" "$plain/apps/xmessage:1" >/dev/null
printf '[[app]]\nref = "%s/apps/py:stable"\n[[app]]\nref = "%s/apps/xmessage:1"\n' "$plain" "$plain" > apps.toml
"$A" sync --config apps.toml >/dev/null
desktop_entry=$HOME/.local/share/applications/org.x.xmessage.desktop
check "sync writes the app's desktop entry" desktop-file-validate "$desktop_entry"
printf '[[app]]\nref = "%s/apps/py:stable"\n' "$plain" > apps.toml
"$A" sync --config apps.toml >/dev/null
check "and takes it away with the app" test ! -e "$desktop_entry"
printf '[[app]]\nref = "%s/apps/nothing:1"\n' "$plain" > apps-bad.toml
before=$(state)
status "a listed app that does not exist fails the sync (66)" 66 "$A" sync --config apps-bad.toml
same "and nothing is removed" "$before" "$(state)"
printf '[[app]]\nref = "not a reference"\n' > apps-bad.toml
err=$("$A" sync --config apps-bad.toml 2>&1); rc=$?
same "a malformed list: 65" 65 "$rc"
check "naming the file and line" grep -q "^appv: apps-bad.toml:2:7: " <<<"$err"
printf '[[app]]\nref = "%s/apps/py:stable"\nchannel = "beta"\n' "$plain" > apps-bad.toml
status "an unknown key: 65" 65 "$A" sync --config apps-bad.toml
status "a missing list: 66" 66 "$A" sync --config no-such-apps.toml
if [[ $(id -u) -eq 0 ]]; then
  # The shipped systemd units, and their command, run for real as root: --system
  # installs for every user from /etc/appv/apps.toml.
  check "systemd-analyze verify accepts the timer and the service" \
    bash -c "sed 's|^ExecStart=[^ ]*|ExecStart=$A|' '$work/appv-sync.service' > '$work/units/appv-sync.service' &&
             cp '$work/appv-sync.timer' '$work/units/' && systemd-analyze verify '$work/units/appv-sync.service' '$work/units/appv-sync.timer'"
  read -ra exec_start <<<"$(sed -n 's/^ExecStart=//p' "$work/appv-sync.service")"
  exec_start[0]=$A
  save_etc
  mkdir -p /etc/appv
  printf '[[app]]\nref = "%s/tools/jq:1.6"\n' "$plain" > /etc/appv/apps.toml
  system_had_jq=$("$A" list --system --json | jq '[.[] | select(.id == "jq")] | length')
  same "the timer's command installs for every user" "jq: installed 0 ($plain/tools/jq:1.6)" "$("${exec_start[@]}" 2>&1)"
  check "appv list --system shows it" jq -e --arg from "$plain/tools/jq:1.6" \
    '.[] | select(.id == "jq") | .version == "0" and .package == "/var/lib/appv/packages/jq.appv" and .origin == $from' \
    <<<"$("$A" list --system --json)"
  same "and it runs" "8" "$(echo '{"a":8}' | /var/lib/appv/packages/jq.appv .a)"
  : > /etc/appv/apps.toml
  status "an empty list is refused (it would remove every app)" 64 "${exec_start[@]}"
  same "with --allow-mass-removal it removes the app" "jq: removed (no longer in /etc/appv/apps.toml)" \
    "$("${exec_start[@]}" --allow-mass-removal 2>&1)"
  same "nothing of it is left" "$system_had_jq" "$("$A" list --system --json | jq '[.[] | select(.id == "jq")] | length')"
  restore_etc
fi
stop_registry "$plain_pid"
before=$(state)
status "the registry down: sync fails (69)" 69 "$A" sync --config apps.toml
same "and changes nothing" "$before" "$(state)"
same "the installed app still runs" "v3 written by v1" "$("$A" run "$py" -c "$read_state" v3)"

finish
