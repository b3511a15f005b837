#!/usr/bin/env bash
# perl with POSIX and JSON::PP (a core module), packed by tracing one run that uses
# both: the modules it loaded (and POSIX's XS library) are found by the run. On the
# foreign host tanaka decodes JSON with a non-ASCII string, adds POSIX's floor and the
# host's time zone (strftime %Z %z of the epoch: Tokyo's), and encodes it again.
# Run alone: tests/apps/run-app perl build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== perl on $suite"
needs perl
native_app=/usr/bin/perl
# A JSON round trip: decoded to Perl data, changed, encoded canonically as UTF-8.
prog='use POSIX qw(floor strftime); use JSON::PP;
my $j = JSON::PP->new->utf8->canonical;
my $d = $j->decode(q({"name":"caf\u00e9","list":[3,1.5,-2.5],"nested":{"ok":true}}));
$d->{floor} = floor($d->{list}[2]);
$d->{tz} = strftime("%Z %z", localtime(0));
print $j->encode($d), "\n";'
script="app -e '$prog'"
host_json='{"floor":-3,"list":[3,1.5,-2.5],"name":"café","nested":{"ok":true},"tz":"JST +0900"}'
same "control: the round trip natively, in Tokyo" "$host_json" "$(TZ=Asia/Tokyo native "export TZ=Asia/Tokyo; $script")"
pack_timed "trace of one run" perl.appv --trace -- perl -e "$prog"
for view in "${VIEWS[@]}"; do
  same "$suite, as tanaka, $view view: the JSON round trip with POSIX and the host's time zone" "$host_json" \
    "$(on_host tanaka "$view" "$pkgs/perl.appv" "$script")"
done
record timed "one JSON round trip"
start_times "$script"
apps_finish
