#!/usr/bin/env bash
# Packing real Debian programs, what appv info/ls/verify/extract show of a
# package, and reproducible packing.
# Run alone: ctest -R e2e_user_pack (and e2e_root_pack, as root).
source "$1/lib.sh"
echo "== packing (as $me)"
check "pack jq by path" "$A" pack -q /usr/bin/jq -o jq.appv
check "pack jq from its manifest" "$A" pack -q -m "$M/jq.toml" -o jq-m.appv
check "pack sqlite3" "$A" pack -q -m "$M/sqlite3.toml" -o sqlite3.appv
check "pack file with its magic database" "$A" pack -q -m "$M/file.toml" -o file.appv
check "pack python3 with its standard library" "$A" pack -q -m "$M/python3.toml" -o python3.appv

echo "== inspecting"
info=$("$A" info jq.appv)
same "info names the app" "id:        jq" "$(grep '^id:' <<<"$info")"
check "info names the entry point" grep -q '^entry:     jq -> /usr/bin/jq  (default)$' <<<"$info"
check "ls shows virtual paths" grep -qx /usr/bin/jq <<<"$("$A" ls jq.appv)"
check "ls shows the loader's link chain" grep -q '^l 0777 .* /lib64 -> usr/lib64$' <<<"$("$A" ls -l jq.appv)"
check "verify accepts a sound package" "$A" verify jq.appv
offset=$(info_field jq.appv .payload.offset)
check "the payload opens with tail, zstd and tar" grep -qx root/usr/bin/jq <<<"$(tail -c +$((offset + 1)) jq.appv | zstd -dc | tar -t)"
check "extract writes the tree" "$A" extract jq.appv out
check "extracted jq is there" test -x out/root/usr/bin/jq
status "extract refuses an existing directory" 64 "$A" extract jq.appv out

echo "== reproducibility"
"$A" pack -q /usr/bin/jq -o jq-again.appv
check "two packs are byte-identical" cmp -s jq.appv jq-again.appv
SOURCE_DATE_EPOCH=1700000000 "$A" pack -q /usr/bin/jq -o jq-sde.appv
check "SOURCE_DATE_EPOCH changes the bytes" bash -c '! cmp -s jq.appv jq-sde.appv'


finish
