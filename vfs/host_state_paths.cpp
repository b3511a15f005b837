#include "vfs/host_state_paths.h"

#include "manifests/paths.h"

namespace appv {

using Kind = HostStatePath::Kind;

const std::vector<HostStatePath>& host_state_paths() {
  static const std::vector<HostStatePath> paths{
      {"/etc/passwd", Kind::File, "users"},
      {"/etc/group", Kind::File, "groups"},
      {"/etc/nsswitch.conf", Kind::File, "name service"},
      {"/etc/hosts", Kind::File, "host names"},
      {"/etc/host.conf", Kind::File, "host names"},
      {"/etc/resolv.conf", Kind::File, "DNS"},
      {"/etc/hostname", Kind::File, "host name"},
      {"/etc/mailname", Kind::File, "host name"},
      {"/etc/localtime", Kind::File, "time zone"},
      {"/etc/timezone", Kind::File, "time zone"},
      {"/etc/machine-id", Kind::File, "machine id"},
      {"/var/lib/dbus/machine-id", Kind::File, "machine id"},
      {"/etc/mtab", Kind::MountTable, "mount table"},
      {"/etc/ca-certificates.conf", Kind::File, "CA trust store"},
      {"/etc/ssl/certs", Kind::Dir, "CA trust store"},
      {"/usr/share/ca-certificates", Kind::Dir, "CA trust store"},
      {"/usr/local/share/ca-certificates", Kind::Dir, "CA trust store"},
      {"/etc/pki/ca-trust", Kind::Dir, "CA trust store"},
      {"/etc/pki/tls/certs", Kind::Dir, "CA trust store"},
      // OpenSSL's default CA file and directory on Debian and Ubuntu (OPENSSLDIR):
      // links into /etc/ssl, shown resolved, so a `full` /usr still trusts the host's.
      {"/usr/lib/ssl/cert.pem", Kind::File, "CA trust store", false},
      {"/usr/lib/ssl/certs", Kind::Dir, "CA trust store", false},
  };
  return paths;
}

const HostStatePath* host_state_path(const std::string& path) {
  for (const HostStatePath& p : host_state_paths()) {
    if (path == p.path) return &p;
  }
  return nullptr;
}

bool leads_to_host_state(const std::string& dir) {
  for (const HostStatePath& p : host_state_paths()) {
    if (p.path != dir && path_has_prefix(p.path, dir)) return true;
  }
  return false;
}

}  // namespace appv
