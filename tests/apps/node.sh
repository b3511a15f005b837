#!/usr/bin/env bash
# node with crypto and Intl, packed by tracing one run: Debian's node uses the
# system's OpenSSL and ICU (its locale data in libicudata), both found by the run. On
# the foreign host tanaka hashes a string (sha256, HMAC), formats numbers and dates for
# German and Japanese, and asks Intl for the host's time zone (Tokyo's).
# Run alone: tests/apps/run-app node build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== node on $suite"
needs node
native_app=/usr/bin/node
prog='const c = require("crypto");
console.log(c.createHash("sha256").update("appv \u00e9").digest("hex"));
console.log(c.createHmac("sha256", "key").update("appv").digest("base64"));
console.log(new Intl.NumberFormat("de-DE").format(1234567.891));
console.log(new Intl.DateTimeFormat("ja-JP", {dateStyle: "full", timeZone: "UTC"}).format(new Date(0)));
console.log(Intl.DateTimeFormat().resolvedOptions().timeZone);'
script="app -e '$prog'"
# The hashes from this machine's coreutils and openssl, not from node.
sha=$(printf 'appv \u00e9' | sha256sum | cut -d' ' -f1)
hmac=$(printf 'appv' | openssl dgst -sha256 -hmac key -binary | base64)
expected="$sha
$hmac
1.234.567,891
1970年1月1日木曜日
Asia/Tokyo"
same "control: natively, in Tokyo" "$expected" "$(native "export TZ=Asia/Tokyo; $script")"
pack_timed "trace of one run" node.appv --trace -- node -e "$prog"
for view in "${VIEWS[@]}"; do
  same "$suite, as tanaka, $view view: crypto hashes, Intl formats and the host's time zone" "$expected" \
    "$(on_host tanaka "$view" "$pkgs/node.appv" "$script")"
done
record timed "hashes and Intl formats"
start_times "$script"
apps_finish
