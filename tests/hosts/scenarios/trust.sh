#!/usr/bin/env bash
# The trust store is the foreign host's: it trusts one more CA than this machine, and a
# python3 package packed here connects over TLS to a local server whose certificate
# that CA signed. The host trusts it, as root and as tanaka, in the default view and
# with the system trees full; this machine does not.
# Run alone: ctest -R hosts_bullseye_trust (or hosts_trixie_trust).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== trust store on $suite"
pack_python3
mv python3.appv "$pkgs/python3.appv"

start_tls_server || { bad "the TLS server did not start"; finish; }
port=$tls_port server=$tls_server

# Prints "trusted CN" or "untrusted REASON"; any other failure prints its traceback.
tls_probe='
import socket, ssl, sys
ctx = ssl.create_default_context()
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            print("trusted", dict(x[0] for x in t.getpeercert()["subject"])["commonName"])
except ssl.SSLCertVerificationError as e:
    print("untrusted", e.verify_message)
'
same "control: this machine does not trust the test CA" "untrusted unable to get local issuer certificate" \
  "$("$pkgs/python3.appv" -c "$tls_probe" "$port" 2>&1)"
check "control: the $suite host's own openssl trusts the test server" \
  grep -q 'Verify return code: 0 (ok)' <<<"$(on tanaka -- bash -c "openssl s_client -connect 127.0.0.1:$port -servername localhost -verify_return_error </dev/null")"
for who in "${USERS[@]}"; do
  for view in "${VIEWS[@]}"; do
    same "$suite, as $who, $view view: the TLS server is trusted" "trusted localhost" \
      "$(app "$who" "$view" "$pkgs/python3.appv" -c "$tls_probe" "$port")"
  done
done
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
finish
