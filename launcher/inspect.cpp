#include "launcher/commands.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "launcher/format.h"
#include "launcher/reporter.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/trust.h"

namespace appv::cli {
namespace {

const char* type_letter(PayloadEntry::Type t) {
  switch (t) {
    case PayloadEntry::Type::File: return "-";
    case PayloadEntry::Type::Dir: return "d";
    case PayloadEntry::Type::Symlink: return "l";
    case PayloadEntry::Type::Hardlink: return "h";
  }
  return "?";
}

// Which store trusts a signature's key: only the system store counts for the policy.
std::string trust_words(const SignatureCheck& c) {
  if (!c.trusted) return "not trusted";
  if (c.trusted->store == KeyStore::System) return fmt::format("trusted by the system store ({})", printable(c.trusted->file));
  return fmt::format("trusted by you only ({}; the policy counts only {}/trusted-keys)", printable(c.trusted->file), kSystemConfigDir);
}


}  // namespace

int cmd_info(const std::string& path) {
  Package p = Package::open(path);
  const Manifest& m = p.manifest();
  const Trailer& t = p.trailer();
  // Manifest strings are the packager's: printed escaped (base/text.h).
  fmt::print("id:        {}\n", printable(m.id));
  fmt::print("name:      {}\n", printable(m.name));
  fmt::print("version:   {}\n", printable(m.version));
  for (const auto& [name, e] : m.entries) {
    std::string args;
    for (const std::string& a : e.args) args += " " + shell_quote(a);
    fmt::print("entry:     {} -> {}{}{}\n", printable(name), printable(e.path), args, name == m.default_entry ? "  (default)" : "");
  }
  for (const auto& [prefix, mode] : m.isolation) fmt::print("isolation: {} {}\n", printable(prefix), to_string(mode));
  // Bus names and device words are validated to a plain alphabet: nothing to escape.
  for (const std::string& line : describe_permissions(m.permissions, m.id)) fmt::print("permission: {}\n", line);
  fmt::print("entries:   {} ({} unpacked)\n", p.header().file_count, human_bytes(p.header().unpacked_bytes));
  fmt::print("file:      {} bytes{}\n", p.file_size(), t.header_offset ? fmt::format(" (runtime stub: {} bytes)", t.header_offset) : "");
  fmt::print("header:    offset {}, {} bytes, sha256 {}\n", t.header_offset, t.header_size, to_hex(t.header_digest));
  fmt::print("payload:   offset {}, {} bytes, sha256 {}\n", t.payload_offset, t.payload_size, p.digest());
  // Each signature's key, and which trust store (if any) holds it; validity is verify's.
  if (!p.signatures().empty()) {
    for (const SignatureCheck& c : check_signatures(p, load_trust_store(trust_dirs()))) {
      fmt::print("signed:    {} ({}): {} (appv verify checks it)\n", printable(c.signature.signer),
                 key_fingerprint(c.signature.key), trust_words(c));
    }
  }
  fmt::print("stock tools: tail -c +{} {} | zstd -dc | tar --warning=no-unknown-keyword -t\n", t.payload_offset + 1, shell_quote(path));
  return 0;
}

int cmd_ls(const std::string& path, bool long_format) {
  Package p = Package::open(path);
  std::string out;
  scan_payload(p, [&](const PayloadEntry& e) {
    const std::optional<std::string> found = virtual_path_of(e.path);
    if (!found) return;
    const std::string& vpath = *found;
    if (long_format) {
      std::string link = e.type == PayloadEntry::Type::Symlink ? " -> " + printable(e.link) : "";
      out += fmt::format("{} {:04o} {:>12} {}{}\n", type_letter(e.type), e.mode, e.size, printable(vpath), link);
    } else {
      out += printable(vpath) + "\n";
    }
  });
  // Printed only after the digest checked out: a listing is never of a bad package.
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int cmd_verify(const std::string& path) {
  Package p = Package::open(path);
  const uint64_t count = verify_package(p);
  fmt::print("{}: OK ({} {}, {} entries, payload sha256 {})\n", printable(path), printable(p.manifest().id),
             printable(p.manifest().version), count, p.digest());
  // Signatures: each one's signer, whether it verifies, and whether this machine
  // trusts its key; then what the policy would say to `appv run`.
  const std::vector<SignatureCheck> checks = check_signatures(p, load_trust_store(trust_dirs()));
  if (checks.empty()) fmt::print("signatures: none\n");
  bool all_valid = true;
  for (const SignatureCheck& c : checks) {
    all_valid = all_valid && c.valid;
    fmt::print("signature: {} ({}): {}, {}\n", printable(c.signature.signer), key_fingerprint(c.signature.key),
               c.valid ? "valid" : "INVALID", trust_words(c));
  }
  if (!all_valid) throw Error(Exit::BadInput, fmt::format("package '{}': a signature does not match: the package was changed after it was signed", path));
  const Policy policy = load_policy(std::string(kSystemConfigDir) + "/policy.toml");
  const std::string why = policy_refusal(policy, p.manifest().id, checks, caller_groups());
  fmt::print("policy: {}\n", why.empty() ? fmt::format("allows running it{}", policy.origin.empty() ? " (no policy file)" : "") : "refuses it: " + why);
  return 0;
}

int cmd_extract(const std::string& path, const std::string& dir) {
  Package p = Package::open(path);
  extract_to(p, dir, {}, stderr_reporter());
  say("extracted {} into {} (files below {}/root)\n", path, dir, dir);
  return 0;
}

}  // namespace appv::cli
