// `appv keygen` and `appv sign`.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/command_line.h"
#include "launcher/reporter.h"
#include "base/error.h"
#include "base/fatal_signal_cleanup.h"
#include "base/fs_util.h"
#include "base/private_dir.h"
#include "vfs/package.h"
#include "vfs/signature.h"
#include "vfs/trust.h"

namespace appv::cli {

int cmd_keygen(const std::string& name, const std::string& dir_arg) {
  // A key name becomes two file names and the signer recorded in signatures: plain
  // ASCII, and short enough for its temporaries (".NAME.key.appv-tmp-PID-RANDOM")
  // to fit a file name.
  constexpr size_t kMaxName = 200;
  const bool plain = !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+' || c == '@';
  });
  if (!plain) {
    throw Error(Exit::Usage, fmt::format("key name '{}' must be ASCII letters, digits, '.', '_', '-', '+' or '@', "
                                         "not starting with '.'", shown_name(name)));
  }
  if (name.size() > kMaxName) throw Error(Exit::Usage, fmt::format("key name is too long ({} bytes; at most {})", name.size(), kMaxName));
  install_fatal_signal_cleanup();  // Ctrl-C leaves no temporary holding a key
  std::string dir = dir_arg.empty() ? "." : dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  // Judged once, then written through the descriptor judged: a key pair goes only where
  // no one else can replace it before it is handed out. A directory that holds private
  // keys is the user's alone (0700) when appv makes it, and gone again if writing fails.
  PrivateDir place = open_private_dir(dir, "a key pair", /*make_missing=*/true);
  const std::string base = dir + "/" + name;
  PublicKey key{};
  try {
    key = generate_key_pair(KeyFileSpot{place.fd.get(), name + ".key", base + ".key"},
                            KeyFileSpot{place.fd.get(), name + ".pub", base + ".pub"});
  } catch (...) {
    place.remove_made();
    throw;
  }
  say("wrote {0}.key (private: keep it secret) and {0}.pub ({1})\n"
             "to trust it on a machine: copy {0}.pub to {2}/trusted-keys/ (everyone) or ~/.config/appv/trusted-keys/ (you)\n",
             shown_name(base), key_fingerprint(key), kSystemConfigDir);
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
  say("{}: signed by {} ({}); {} signature(s) now\n", path, signer, key_fingerprint(s.key), package.signatures().size() + 1);
  return 0;
}

void add_sign_commands(CLI::App& app, Commands& out) {
  struct KeygenArgs {
    std::string name, dir;
  };
  auto keygen = std::make_shared<KeygenArgs>();
  CLI::App* keygen_cmd = app.add_subcommand("keygen", "Create an Ed25519 signing key pair: NAME.key and NAME.pub");
  keygen_cmd->add_option("name", keygen->name, "Key name (the files' names)")->required();
  keygen_cmd->add_option("--dir", keygen->dir, "Directory to write them to, made (0700) if missing (default: the current one); refused if another user owns or may write it or a directory above it")->type_name("DIR");
  add_quiet_flag(*keygen_cmd);
  out.add(keygen_cmd, [keygen] { return cmd_keygen(keygen->name, keygen->dir); });

  struct SignArgs {
    std::string package, key, signer;
  };
  auto sign = std::make_shared<SignArgs>();
  CLI::App* sign_cmd = app.add_subcommand("sign", "Add a signature to a package (in place, atomically; several are allowed)");
  sign_cmd->add_option("package", sign->package, "Package file")->required()->type_name("FILE");
  sign_cmd->add_option("-k,--key", sign->key, "Private key (from appv keygen)")->required()->check(CLI::ExistingFile);
  sign_cmd->add_option("--signer", sign->signer, "Name recorded with the signature (default: the key file's name)");
  add_quiet_flag(*sign_cmd);
  out.add(sign_cmd, [sign] { return cmd_sign(sign->package, sign->key, sign->signer); });
}

}  // namespace appv::cli
