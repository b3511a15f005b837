#!/usr/bin/env bash
# Bad input: one line on stderr, a distinct status, nothing left behind.
# Run alone: ctest -R e2e_user_bad_input (and e2e_root_bad_input, as root).
source "$1/lib.sh"
pack_jq && SOURCE_DATE_EPOCH=1700000000 packed jq-sde.appv /usr/bin/jq || bad "pack the packages this scenario uses"

echo "== bad input: one line, a distinct status, nothing left behind"
head -c 5000 /dev/urandom > junk.appv
status "info on a file that is not a package" 65 "$A" info junk.appv
status "info on a missing file" 66 "$A" info missing.appv
head -c -10 jq.appv > truncated.appv
status "verify on a truncated package" 65 "$A" verify truncated.appv
# A package never run before: a warm launch trusts the cache entry named by a
# verified digest and never rereads the payload, so corruption shows on first use.
cp jq-sde.appv flipped.appv
read -r poff psize < <(info_field flipped.appv '"\(.payload.offset) \(.payload.size)"')
printf '\xff' | dd of=flipped.appv bs=1 seek=$((poff + psize / 2)) conv=notrunc status=none
status "verify on a flipped payload byte" 65 "$A" verify flipped.appv
status "run on a flipped payload byte" 65 "$A" run flipped.appv --version
digest=$(payload_digest flipped.appv)
check "no cache entry for the refused package" test ! -e "$HOME/.cache/appv/$digest"
check "no temporary extraction left" bash -c "! ls -a '$HOME/.cache/appv' | grep -q '^\.tmp-'"
status "extract of a flipped package" 65 "$A" extract flipped.appv flipped-out
check "no partial extraction" bash -c "! ls -a | grep -q 'flipped-out'"
status "run with a bad --isolate" 64 "$A" run --isolate /usr=sealed jq.appv
status "run with an unknown entry point" 64 "$A" run --entry nope jq.appv
status "pack of a missing program" 66 "$A" pack -q /nonexistent/program -o never.appv
check "a failed pack leaves no file" test ! -e never.appv
printf 'id = "x"\nversion = 1\n' > bad.toml
status "pack with a bad manifest" 65 "$A" pack -q -m bad.toml -o never.appv
status "an unknown command" 64 "$A" frobnicate
check "every command has --help" bash -c "for c in pack capture info ls verify extract run sandbox 'sandbox diff' 'sandbox import' registry 'registry set' keygen sign install; do '$A' \$c --help >/dev/null || exit 1; done"
finish
