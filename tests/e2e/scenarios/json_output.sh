#!/usr/bin/env bash
# The --json output for scripts (README.md, "Output for scripts"): info, ls, verify,
# list, sandbox list, tags and run --dry-run, read with jq the way a script would.
# Run alone: ctest -R e2e_user_json_output (and e2e_root_json_output, as root).
source "$1/lib.sh"
# holds NAME JSON [jq options...] FILTER: jq -e FILTER must be true of JSON.
holds() {
  local name=$1 json=$2
  shift 2
  if jq -e "$@" >/dev/null 2>&1 <<<"$json"; then ok "$name"; else bad "$name: not (${*: -1}) of: $(head -c 600 <<<"$json")"; fi
}
appv_has_run
pack_jq || bad "pack jq"

echo "== json output"
sha='^sha256:[0-9a-f]{64}$'

info=$("$A" info --json jq.appv)
holds "info: one object with id and version" "$info" '.id == "jq" and .version == "0" and .name == "jq"'
holds "info: the default entry point" "$info" '.default_entry == "jq" and .entries == [{"name": "jq", "path": "/usr/bin/jq", "args": [], "default": true}]'
holds "info: digests are sha256:<hex>" "$info" "(.payload.digest | test(\"$sha\")) and (.header.digest | test(\"$sha\"))"
holds "info: sizes are integers in bytes" "$info" '[.file_count, .unpacked_bytes, .file_bytes, .stub_bytes, .payload.size] | all(type == "number" and . > 0)'
holds "info: the stub is everything before the header" "$info" '.stub_bytes == .header.offset and .payload.offset == .header.offset + .header.size'
same "info: the file size is the file's" "$(stat -c %s jq.appv)" "$(jq .file_bytes <<<"$info")"
human_offset=$("$A" info jq.appv | sed -n 's/^payload:   offset \([0-9]*\),.*/\1/p')
same "info: the payload offset is the one the text shows" "$human_offset" "$(jq .payload.offset <<<"$info")"
listing=$(tail -c +"$(($(jq .payload.offset <<<"$info") + 1))" jq.appv | zstd -dc | tar -t)
if grep -qx root/usr/bin/jq <<<"$listing"; then
  ok "info: the payload offset opens with stock tools"
else
  bad "info: the payload offset opens with stock tools"
fi
holds "info: unsigned" "$info" '.signers == [] and .isolation == []'

ls=$("$A" ls --json jq.appv)
holds "ls: an array of entries" "$ls" 'type == "array" and length > 5'
holds "ls: jq is a file at its virtual path" "$ls" 'any(.[]; .path == "/usr/bin/jq" and .type == "file" and .size > 0 and .link == null)'
holds "ls: the loader's link with its target" "$ls" 'any(.[]; .path == "/lib64" and .type == "symlink" and .link == "usr/lib64" and .mode == 511)'
same "ls: as many entries as the text listing" "$("$A" ls jq.appv | wc -l)" "$(jq length <<<"$ls")"

verify=$("$A" verify --json jq.appv)
holds "verify: ok, with the package's digest" "$verify" ".ok == true and .id == \"jq\" and .package == \"jq.appv\" and .entries > 0 and (.payload_digest | test(\"$sha\"))"
same "verify: the digest info shows" "$(jq -r .payload.digest <<<"$info")" "$(jq -r .payload_digest <<<"$verify")"
holds "verify: no signatures, and what the policy says" "$verify" '.signatures == [] and (.policy.allows | type == "boolean")'
cp jq.appv signed.appv
if "$A" keygen tester >/dev/null && "$A" sign signed.appv --key tester.key >/dev/null; then
  verify=$("$A" verify --json signed.appv)
  holds "verify: a valid, untrusted signature" "$verify" \
    '.ok == true and (.signatures | length == 1) and .signatures[0].signer == "tester" and .signatures[0].valid == true and .signatures[0].trusted_key == null'
  holds "verify: the key's fingerprint" "$verify" '.signatures[0].fingerprint | test("^SHA256:[0-9a-f]{64}$")'
  holds "info: names the signer" "$("$A" info --json signed.appv)" '.signers == ["tester"]'
else
  bad "keygen and sign"
fi

same "list: nothing installed is []" "[]" "$("$A" list --json | jq -c .)"
if "$A" install jq.appv >/dev/null; then
  holds "list: the installed package" "$("$A" list --json)" \
    'length == 1 and .[0].id == "jq" and .[0].version == "0" and (.[0].package | endswith("/jq.appv")) and .[0].origin == null and .[0].digest == null and .[0].previous_version == null'
  "$A" uninstall jq >/dev/null || bad "uninstall jq"
else
  bad "install jq"
fi

same "sandbox list: no sandboxes is []" "[]" "$("$A" sandbox list --json | jq -c .)"
# APPV_LINGER_MS=0: the view ends with the app, as the checks below (a sandbox with no
# instance, a run that builds its view) expect; a lingering one is e2e linger.sh's.
if APPV_LINGER_MS=0 "$A" run jq.appv --version >/dev/null; then
  holds "sandbox list: the app that ran, stopped" "$("$A" sandbox list --json)" \
    'length == 1 and .[0].app == "jq" and .[0].version == "0" and (.[0].bytes | type == "number") and .[0].running == false and .[0].pid == null'
else
  bad "sandbox list after a run: appv run failed"
fi

# tags needs a registry: Debian's docker-registry on a free loopback port.
if command -v docker-registry >/dev/null && command -v python3 >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p reg/data
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s/reg/data\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work" "$port" > reg/config.yml
  docker-registry serve reg/config.yml > reg/log 2>&1 &
  reg_pid=$!
  for _ in $(seq 100); do
    python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/v2/', timeout=1)" 2>/dev/null && break
    sleep 0.1
  done
  if "$A" push jq.appv "127.0.0.1:$port/tools/jq:1.6" >/dev/null && "$A" push jq.appv "127.0.0.1:$port/tools/jq:latest" >/dev/null; then
    tags=$("$A" tags --json "127.0.0.1:$port/tools/jq")
    holds "tags: an array of strings" "$tags" 'type == "array" and all(.[]; type == "string")'
    same "tags: both tags" '["1.6","latest"]' "$(jq -c sort <<<"$tags")"
  else
    bad "push to the test registry (log: $(cat reg/log))"
  fi
  kill "$reg_pid" 2>/dev/null
  wait "$reg_pid" 2>/dev/null
else
  bad "tags --json: docker-registry is not installed (scripts/install-deps --test)"
fi


plan=$("$A" run --dry-run --json jq.appv .a)
holds "run --dry-run --json: the plan of a run" "$plan" \
  '.kind == "run" and .backend.name == "ns" and .package.id == "jq" and .start.decision == "build" and .sandbox.cleanup == "keep"'
holds "run --dry-run --json: argv and the whole environment" "$plan" \
  '.process.argv == ["/usr/bin/jq", ".a"] and (.process.env | any(. == "APPV_APP_ID=jq"))'
holds "run --dry-run --json: the /usr overlay with the package's tree on top" "$plan" \
  'any(.mounts[]; .type == "overlay" and .target == "/usr" and (.lowers[0] | endswith("/root/usr")))'
holds "run --dry-run --json: --temp is removed at exit" "$("$A" run --dry-run --json --temp jq.appv)" \
  '.kind == "temp" and .sandbox.cleanup == "remove-on-exit" and (.sandbox.path | test("/[.]temp-jq-[0-9]+$"))'
stub_plan=$(./jq.appv --appv-dry-run --appv-json .a)
# The package's path is as given, and the shell sets $_ to the command it ran.
holds "stub --appv-dry-run --appv-json: the same plan as appv's (package path and \$_ aside)" "$stub_plan" \
  --argjson appv "$plan" 'def norm: del(.package.path) | .process.env |= map(select(startswith("_=") | not));
    norm == ($appv | norm)'
if ./jq.appv --appv-json .a >/dev/null 2>err.txt; then
  bad "stub --appv-json without --appv-dry-run runs the app"
else
  same "stub --appv-json alone: status 64" 64 "$?"
  grep -q -- "--appv-json goes with --appv-dry-run" err.txt && ok "stub --appv-json alone: says why" || bad "stub --appv-json alone: $(cat err.txt)"
fi

finish
