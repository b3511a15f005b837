#!/usr/bin/env bash
# Signing, trust and policy: keygen, sign, verify, tampered packages, and (as root)
# the system policy in /etc/appv.
# Run alone: ctest -R e2e_user_signing (and e2e_root_signing, as root).
source "$1/lib.sh"
echo "== signatures"
cd "$work"
mkdir -p keys
check "keygen writes a key pair" "$A" keygen release --dir keys
check "the private key is private" test "$(stat -c %a keys/release.key)" = 600
"$A" keygen intruder --dir keys >/dev/null
status "keygen never overwrites a key (73: the name is taken)" 73 "$A" keygen release --dir keys
check "keygen makes its --dir, the user's alone" bash -c "'$A' keygen other --dir new/keys >/dev/null && test -f new/keys/other.pub && test \"\$(stat -c %a new/keys)\" = 700"
"$A" pack -q /usr/bin/jq -o unsigned.appv
cp unsigned.appv trusted.appv
cp unsigned.appv untrusted.appv
check "sign a package after packing" "$A" sign trusted.appv --key keys/release.key
"$A" sign untrusted.appv --key keys/intruder.key >/dev/null
check "a second signature can be added" "$A" sign trusted.appv --key keys/intruder.key --signer "second opinion"
status "the same key cannot sign twice" 64 "$A" sign trusted.appv --key keys/release.key
end=$(info_field unsigned.appv '.payload.offset + .payload.size')
same "signing kept the stub, header and payload byte for byte" "$(head -c "$end" unsigned.appv | sha256sum)" "$(head -c "$end" trusted.appv | sha256sum)"
same "and the trailer" "$(tail -c 128 unsigned.appv | sha256sum)" "$(tail -c 128 trusted.appv | sha256sum)"
# Two frames: 8 bytes of frame header, 114 fixed bytes, the signer's name.
same "and added two signature frames" "$((8 + 114 + 7 + 8 + 114 + 14))" "$(($(stat -c %s trusted.appv) - $(stat -c %s unsigned.appv)))"
info=$("$A" info trusted.appv)
check "info lists the signers with their keys" grep -q "^signed:    release (SHA256:[0-9a-f]*): not trusted (appv verify checks it)$" <<<"$info"
check "both of them" grep -q "^signed:    second opinion (SHA256:[0-9a-f]*): " <<<"$info"
check "the payload still opens with stock tools" bash -c "tail -c +$(($(info_field trusted.appv .payload.offset) + 1)) trusted.appv | zstd -dc | tar -t | grep -qx root/usr/bin/jq"
trust_dir=$HOME/.config/appv/trusted-keys
mkdir -p "$trust_dir"
cp keys/release.pub "$trust_dir/"
v=$("$A" verify trusted.appv)
check "verify names the trusted signer" grep -q "^signature: release (SHA256:[0-9a-f]*): valid, trusted by you only ($trust_dir/release.pub; the policy counts only /etc/appv/trusted-keys)$" <<<"$v"
check "and the untrusted one" grep -q "^signature: second opinion (SHA256:[0-9a-f]*): valid, not trusted$" <<<"$v"
check "verify of an unsigned package says so" grep -qx "signatures: none" <<<"$("$A" verify unsigned.appv)"

# Tampered copies of the signed package: a byte of the payload, of the header's
# manifest, of the signature; a manifest swapped in from another package.
size=$(stat -c %s trusted.appv)
offset=$(info_field trusted.appv .payload.offset)
# The byte at $1 inverted: a fixed byte written there would change nothing where the
# signature (random) already holds it, one run in 256.
flip() {
  cp trusted.appv "$2"
  local byte
  byte=$(od -An -tu1 -j "$1" -N1 trusted.appv | tr -d ' ')
  printf "\\$(printf '%03o' $((255 - byte)))" | dd of="$2" bs=1 seek="$1" conv=notrunc status=none
}
flip $((offset + 300)) tampered-payload.appv
flip $((offset - 20)) tampered-manifest.appv
flip $((size - 128 - 30)) tampered-signature.appv
for t in payload manifest signature; do
  status "verify refuses a flipped byte in the $t" 65 "$A" verify "tampered-$t.appv"
done

package_file() { echo "$1.appv"; }
matrix() { matrix_of package_file unsigned trusted untrusted tampered-payload tampered-manifest tampered-signature; }
same "no policy: signed or not runs, tampered is refused (65)" \
  "unsigned=0 trusted=0 untrusted=0 tampered-payload=65 tampered-manifest=65 tampered-signature=65" "$(matrix)"

if [[ $(id -u) -eq 0 ]]; then
  save_etc
  mkdir -p /etc/appv/trusted-keys
  rm -rf "$trust_dir"   # the system store alone now
  cp keys/release.pub /etc/appv/trusted-keys/
  echo 'require_signature = true' > /etc/appv/policy.toml
  same "policy requires signatures: only the trusted one runs; refusals are 77" \
    "unsigned=77 trusted=0 untrusted=77 tampered-payload=65 tampered-manifest=65 tampered-signature=65" "$(matrix)"
  err=$("$A" run unsigned.appv -n 1 2>&1 >/dev/null)
  same "the refusal says why, in one line" "appv: refused by policy: /etc/appv/policy.toml requires a signature by a key of /etc/appv/trusted-keys, and jq has none" "$err"
  check "verify reports the policy's verdict" grep -q "^policy: refuses it: " <<<"$("$A" verify untrusted.appv)"
  printf 'require_signature = false\n[[rule]]\napps = "j?"\nkeys = ["qa"]\n' > /etc/appv/policy.toml
  status "a key not allowed for the app id is refused" 77 "$A" run trusted.appv -n 1
  status "other apps are not affected by the rule" 0 bash -c "'$A' pack -q /usr/bin/file -o file-u.appv && '$A' run file-u.appv --version"
  printf '[[rule]]\napps = "jq"\ngroups = ["appv-no-such-group"]\n' > /etc/appv/policy.toml
  status "a user outside the allowed groups is refused" 77 "$A" run unsigned.appv -n 1
  printf '[[rule]]\napps = "jq"\ngroups = ["%s"]\n' "$(id -gn)" > /etc/appv/policy.toml
  status "a member of an allowed group runs it" 0 "$A" run unsigned.appv -n 1
  echo 'require_signature = "maybe"' > /etc/appv/policy.toml
  status "a malformed policy refuses everything, naming the line" 65 "$A" run trusted.appv -n 1
  echo 'require_signature = true' > /etc/appv/policy.toml
  status "the runtime stub enforces the policy too" 77 ./unsigned.appv -n 1
  same "and runs the trusted package" "1" "$(./trusted.appv -n 1)"
  restore_etc
fi
rm -rf "$HOME/.config"

finish
