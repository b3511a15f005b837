// `appv keygen` and `appv sign`.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/command_line.h"
#include "launcher/reporter.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "vfs/package.h"
#include "vfs/signature.h"
#include "vfs/trust.h"

namespace appv::cli {

namespace {

// A key pair goes only where no one else can replace it before it is handed out (a
// public key swapped for another's makes packages signed by that other trusted): a
// directory of the caller's (or root's), written by no other user, or one whose
// sticky bit keeps others from what is the caller's (/tmp). A group may write it if
// the group is the caller's own (the user-private-group convention). Judged where
// links lead, as the files will be written there.
void require_private_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw_sys("cannot use", dir, errno, Exit::CantCreate);
  if (!S_ISDIR(st.st_mode)) throw Error(Exit::CantCreate, fmt::format("'{}' is not a directory", dir));
  std::string why;
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    why = fmt::format("it belongs to uid {}", st.st_uid);
  } else if (!(st.st_mode & S_ISVTX) && ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != ::getegid()))) {
    why = fmt::format("others may write it (mode {:04o})", st.st_mode & 07777);
  }
  if (!why.empty()) {
    throw Error(Exit::CantCreate, fmt::format("not writing a key pair into '{}': {}: another user could replace the keys; "
                                              "use a directory only you can write",
                                              dir, why));
  }
}

}  // namespace

int cmd_keygen(const std::string& name, const std::string& dir) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    throw Error(Exit::Usage, fmt::format("key name '{}' must be a plain file name", name));
  }
  // A directory that holds private keys is the user's alone when appv makes it.
  if (!dir.empty()) make_dirs(dir, 0700);
  require_private_dir(dir.empty() ? "." : dir);
  const std::string base = (dir.empty() ? std::string(".") : dir) + "/" + name;
  generate_key_pair(base + ".key", base + ".pub");
  say("wrote {0}.key (private: keep it secret) and {0}.pub ({1})\n"
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
  keygen_cmd->add_option("--dir", keygen->dir, "Directory to write them to, made (0700) if missing (default: the current one); one that another user owns or may write is refused")->type_name("DIR");
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
