// `appv keygen` and `appv sign`.
#include <fmt/format.h>

#include "launcher/commands.h"
#include "base/error.h"
#include "vfs/package.h"
#include "vfs/signature.h"
#include "vfs/trust.h"

namespace appv::cli {

int cmd_keygen(const std::string& name, const std::string& dir) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    throw Error(Exit::Usage, fmt::format("key name '{}' must be a plain file name", name));
  }
  const std::string base = (dir.empty() ? std::string(".") : dir) + "/" + name;
  generate_key_pair(base + ".key", base + ".pub");
  fmt::print("wrote {0}.key (private: keep it secret) and {0}.pub ({1})\n"
             "to trust it on a machine: copy {0}.pub to {2}/trusted-keys/ (everyone) or ~/.config/appv/trusted-keys/ (you)\n",
             base, key_fingerprint(load_public_key(base + ".pub")), kSystemConfigDir);
  return 0;
}

int cmd_sign(const std::string& path, const std::string& key, const std::string& signer_arg) {
  Package package = Package::open(path);
  std::string signer = signer_arg;
  if (signer.empty()) {
    signer = key.substr(key.find_last_of('/') + 1);
    if (signer.size() > 4 && signer.substr(signer.size() - 4) == ".key") signer.resize(signer.size() - 4);
  }
  Signature s = sign_trailer(key, package.trailer(), signer);
  for (const Signature& existing : package.signatures()) {
    if (existing.key == s.key) throw Error(Exit::Usage, fmt::format("'{}' is already signed with this key ({})", path, key_fingerprint(s.key)));
  }
  add_signature(package, s);
  fmt::print("{}: signed by {} ({}); {} signature(s) now\n", path, signer, key_fingerprint(s.key), package.signatures().size() + 1);
  return 0;
}

}  // namespace appv::cli
