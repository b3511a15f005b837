#include "launcher/json_output.h"

#include <cstdio>

#include "vfs/package.h"
#include "vfs/sha256.h"

namespace appv::cli {
namespace {

using nlohmann::json;

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

const char* type_name(PayloadEntry::Type t) {
  switch (t) {
    case PayloadEntry::Type::File: return "file";
    case PayloadEntry::Type::Dir: return "dir";
    case PayloadEntry::Type::Symlink: return "symlink";
    case PayloadEntry::Type::Hardlink: return "hardlink";
  }
  return "unknown";
}


}  // namespace

std::string json_digest(const std::string& hex) { return "sha256:" + hex; }

json info_json(const Manifest& m, const Header& header, const Trailer& t, uint64_t file_size,
               const std::vector<Signature>& signatures) {
  json entries = json::array();
  for (const auto& [name, e] : m.entries) {
    entries.push_back({{"name", name}, {"path", e.path}, {"args", e.args}, {"default", name == m.default_entry}});
  }
  json isolation = json::array();
  for (const auto& [prefix, mode] : m.isolation) isolation.push_back({{"prefix", prefix}, {"mode", to_string(mode)}});
  json signers = json::array();
  for (const Signature& sig : signatures) signers.push_back(sig.signer);
  // What the package asks for (its own [permissions] over the defaults), before any
  // policy or --deny: manifests/permissions.h.
  const ResolvedPermissions asked = resolve_permissions(m.permissions, m.id, {});
  json decisions = json::array();
  for (const PermissionDecision& d : asked.decisions) {
    decisions.push_back({{"name", d.name}, {"asked", d.granted}, {"detail", d.detail}, {"source", d.source}});
  }
  return {
      {"id", m.id},
      {"name", m.name},
      {"version", m.version},
      {"default_entry", m.default_entry},
      {"entries", entries},
      {"isolation", isolation},
      {"file_count", header.file_count},
      {"unpacked_bytes", header.unpacked_bytes},
      {"file_bytes", file_size},
      {"stub_bytes", t.header_offset},  // the runtime stub is everything before the header
      {"header", {{"offset", t.header_offset}, {"size", t.header_size}, {"digest", json_digest(to_hex(t.header_digest))}}},
      {"payload", {{"offset", t.payload_offset}, {"size", t.payload_size}, {"digest", json_digest(to_hex(t.payload_digest))}}},
      {"signers", signers},
      {"permissions", {{"decisions", decisions}, {"talk", asked.talk}, {"own", asked.own}, {"system_talk", asked.system_talk}}},
  };
}

json ls_entry_json(const PayloadEntry& e) {
  json link = nullptr;
  if (e.type == PayloadEntry::Type::Symlink) link = e.link;
  // A hard link names another archive entry: show it at its virtual path too.
  if (e.type == PayloadEntry::Type::Hardlink) {
    link = virtual_path_of(e.link).value_or(e.link);
  }
  return {{"path", virtual_path_of(e.path).value_or(e.path)}, {"type", type_name(e.type)}, {"mode", e.mode}, {"size", e.size}, {"link", link}};
}

json verify_json(const std::string& path, const Manifest& m, const std::string& payload_digest_hex, uint64_t entries,
                 const std::vector<SignatureCheck>& checks, const Policy& policy, const std::string& policy_refusal) {
  json signatures = json::array();
  bool all_valid = true;
  for (const SignatureCheck& c : checks) {
    all_valid = all_valid && c.valid;
    signatures.push_back({{"signer", c.signature.signer},
                          {"fingerprint", key_fingerprint(c.signature.key)},
                          {"valid", c.valid},
                          {"trusted_key", c.trusted ? json(c.trusted->file) : json(nullptr)},
                          {"trusted_store", c.trusted ? json(key_store_name(c.trusted->store)) : json(nullptr)}});
  }
  return {
      {"package", path},
      {"id", m.id},
      {"version", m.version},
      {"entries", entries},
      {"payload_digest", json_digest(payload_digest_hex)},
      {"ok", all_valid},
      {"signatures", signatures},
      {"policy", {{"allows", policy_refusal.empty()}, {"reason", or_null(policy_refusal)}, {"file", or_null(policy.origin)}}},
  };
}

json list_json(const std::vector<InstalledApp>& apps) {
  json out = json::array();
  for (const InstalledApp& a : apps) {
    out.push_back({{"id", a.id},
                   {"version", a.version},
                   {"package", a.package},
                   {"origin", or_null(a.origin)},
                   {"digest", or_null(a.digest)},
                   {"previous_version", or_null(a.previous_version)}});
  }
  return out;
}

json sandbox_list_json(const std::vector<SandboxRow>& rows) {
  json out = json::array();
  for (const SandboxRow& r : rows) {
    out.push_back({{"app", r.app},
                   {"version", r.version ? json(*r.version) : json(nullptr)},
                   {"bytes", r.bytes},
                   {"running", r.pid.has_value() && !r.idle},
                   {"idle", r.idle},
                   {"pid", r.pid ? json(*r.pid) : json(nullptr)}});
  }
  return out;
}

json tags_json(const std::vector<std::string>& tags) { return json(tags); }

void print_json(const json& value) {
  // JSON escapes control bytes itself (\u001b); bytes that are not UTF-8 (a hostile
  // package's entry names) become U+FFFD instead of failing the whole answer.
  const std::string text = value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace appv::cli
