# Helpers of the foreign-host scenarios, sourced after the end-to-end helpers
# (tests/e2e/lib.sh: check, same, finish, packed) by tests/hosts/scenarios/*.sh, which
# tests/hosts/run-scenario starts as root with APPV_HOST_SUITE (bullseye or trixie) and
# APPV_HOST_TOOLS (this directory, with on-host) set.
# Packages are packed here on the build machine into $pkgs; `on` runs a command on the
# foreign host, which sees $pkgs at the same path.
suite=${APPV_HOST_SUITE:?run by tests/hosts/run-scenario}
host_tools=${APPV_HOST_TOOLS:?run by tests/hosts/run-scenario}
pkgs=$work/pkgs
mkdir -p "$pkgs"
chmod 755 "$pkgs"

# The foreign hosts' users, and what the host says of them (tests/hosts/on-host).
USERS=(root tanaka)
declare -A GROUP_OF=([root]=root [tanaka]=tanaka)

# Views an app is run in: appv's default, and the system trees full (the host's /usr,
# /etc, /lib*, /opt hidden: the app sees its package and its sandbox there). Host state
# (users, groups, time zone, trust store) comes from the host in both.
VIEWS=(default full)
FULL_VIEW=(--appv-isolate /usr=full --appv-isolate /etc=full --appv-isolate /lib=full --appv-isolate /lib64=full
           --appv-isolate /lib32=full --appv-isolate /libx32=full --appv-isolate /opt=full)

# The test CA: in every foreign host's trust store, not in this machine's. server.crt
# (CN and subjectAltName localhost, 127.0.0.1) is signed by it.
ca=$work/ca
mkdir -p "$ca"
(
  cd "$ca"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 30 \
    -subj "/O=appv test/CN=appv test CA of the foreign hosts" \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=localhost
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 30 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
) >/dev/null 2>&1 || { echo "hosts lib: cannot make the test CA" >&2; exit 1; }

# on USER [--lang VALUE] -- CMD...: runs CMD on the foreign host as USER (root or
# tanaka), stdout and stderr together, with the host's usual state and the test CA.
# APPV_TEST_HOSTS_NO_USR_MOUNT=1 leaves the mount below /usr out, to tell its failures
# from the others' (mount_below_usr.sh then skips).
on() {
  local who=$1 opts=()
  shift
  [[ ${APPV_TEST_HOSTS_NO_USR_MOUNT:-0} == 1 ]] && opts=(--no-usr-mount)
  if [[ -n ${ON_STDERR:-} ]]; then
    "$host_tools/on-host" "$suite" --as "$who" --ca "$ca/ca.crt" --bind "$pkgs" ${opts[@]+"${opts[@]}"} "$@" 2>"$ON_STDERR"
  else
    "$host_tools/on-host" "$suite" --as "$who" --ca "$ca/ca.crt" --bind "$pkgs" ${opts[@]+"${opts[@]}"} "$@" 2>&1
  fi
}
# (With ON_STDERR=FILE, stderr goes to FILE instead of being mixed into the output.)
# app WHO VIEW [--lang VALUE|unset] PKG ARG...: runs the self-executing package PKG on
# the foreign host as WHO in VIEW, as a user of that host types ./PKG ARG...
app() {
  local who=$1 view=$2 opts=() view_opts=()
  shift 2
  if [[ $1 == --lang ]]; then
    [[ $2 != unset ]] && opts=(--lang "$2")
    shift 2
  fi
  local pkg=$1
  shift
  [[ $view == full ]] && view_opts=("${FULL_VIEW[@]}")
  on "$who" ${opts[@]+"${opts[@]}"} -- "$pkg" ${view_opts[@]+"${view_opts[@]}"} "$@"
}

# start_tls_server: an openssl s_server on this machine's loopback (which the foreign
# host shares) with the certificate the test CA signed; sets $tls_server (its pid) and
# $tls_port, or returns 1 with the server's output on stderr.
start_tls_server() {
  openssl s_server -accept 127.0.0.1:0 -cert "$ca/server.crt" -key "$ca/server.key" -www >"$work/s_server.out" 2>&1 &
  tls_server=$! tls_port=""
  for _ in $(seq 50); do
    tls_port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/s_server.out")
    [[ -n $tls_port ]] && return 0
    sleep 0.1
  done
  cat "$work/s_server.out" >&2
  return 1
}
