#!/usr/bin/env bash
# python3 with numpy and ssl, packed by tracing one run that imports both: the modules
# it imported, numpy's extension modules and their libraries (OpenBLAS through Debian's
# alternatives links), and the ssl module with OpenSSL. On the foreign host tanaka
# solves a linear system and sums a range with numpy, and connects with a default ssl
# context to a TLS server whose certificate the host's own CA signed (the foreign hosts
# trust one CA more than this machine, tests/hosts/lib.sh): the context must use the
# host's trust store. (The count of loaded CA certificates is no check: OpenSSL loads a
# hashed directory lazily, and Debian 11's OpenSSL has no default CA file.)
# Run alone: tests/apps/run-app python3 build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== python3 on $suite"
needs /usr/bin/python3
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { record skipped "python3-numpy is not installed here"; skip "python3-numpy is not installed here (scripts/install-deps --test)"; }
native_app=/usr/bin/python3
start_tls_server || { bad "the TLS server did not start"; apps_finish; }
port=$tls_port
prog='import numpy as np, socket, ssl
x = np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0]))
print("solve", [round(v, 9) for v in x.tolist()])
print("sum", int(np.arange(1, 101).sum()))
ctx = ssl.create_default_context()
try:
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            print("trusted", dict(x[0] for x in t.getpeercert()["subject"])["commonName"], t.version())
except ssl.SSLCertVerificationError as e:
    print("untrusted", e.verify_message)'
prog=${prog//PORT/$port}
script="app -c '$prog'"
on_this_machine=$'solve [2.0, 3.0]\nsum 5050\nuntrusted unable to get local issuer certificate'
same "control: natively, the test CA is not trusted here" "$on_this_machine" "$(native "$script")"
pack_timed "trace of one run" python3.appv --trace -- /usr/bin/python3 -c "$prog"
for view in "${VIEWS[@]}"; do
  same "$suite, as tanaka, $view view: numpy's results, and TLS trusted through the host's CA" \
    $'solve [2.0, 3.0]\nsum 5050\ntrusted localhost TLSv1.3' "$(on_host tanaka "$view" "$pkgs/python3.appv" "$script")"
done
record timed "numpy and an ssl context"
start_times "app -c '$prog'"
apps_finish
