#include "vfs/trust.h"

#include <fnmatch.h>
#include <strings.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/error.h"
#include "base/user_dirs.h"
#include "manifests/tokens.h"
#include "manifests/toml_reader.h"
#include "base/fs_util.h"

namespace appv {
namespace {

[[noreturn]] void bad_policy(const std::string& origin, const toml::source_region& where, std::string_view what) {
  toml_fail(origin, where, what);
}

std::vector<std::string> string_list(const toml::node& node, const std::string& origin, std::string_view key) {
  const toml::array* a = node.as_array();
  if (!a) bad_policy(origin, node.source(), fmt::format("'{}' must be an array of strings", key));
  std::vector<std::string> out;
  for (const toml::node& item : *a) {
    if (!item.is_string()) bad_policy(origin, item.source(), fmt::format("'{}' must be an array of strings", key));
    out.emplace_back(*item.value<std::string_view>());
  }
  return out;
}

bool boolean(const toml::node& node, const std::string& origin, std::string_view key) {
  if (!node.is_boolean()) bad_policy(origin, node.source(), fmt::format("'{}' must be true or false", key));
  return *node.value<bool>();
}

PolicyRule read_rule(const toml::table& t, const std::string& origin) {
  PolicyRule r;
  bool has_apps = false;
  for (auto&& [k, v] : t) {
    std::string_view key = k.str();
    if (key == "apps") {
      if (!v.is_string()) bad_policy(origin, v.source(), "'apps' must be a string (a glob over app ids)");
      r.apps = std::string(*v.value<std::string_view>());
      has_apps = true;
    } else if (key == "require_signature") {
      r.require_signature = boolean(v, origin, key);
    } else if (key == "keys") {
      r.keys = string_list(v, origin, key);
    } else if (key == "groups") {
      r.groups = string_list(v, origin, key);
    } else if (key == "deny" || key == "allow") {
      std::vector<std::string>& names = key == "deny" ? r.deny : r.allow;
      names = string_list(v, origin, key);
      for (const std::string& name : names) {
        if (!valid_permission_name(name)) {
          bad_policy(origin, v.source(), fmt::format("'{}': unknown permission '{}'{}; known: {}", key, name,
                                                     did_you_mean(name, permission_names()), fmt::join(permission_names(), ", ")));
        }
      }
    } else if (key == "host_paths") {
      r.host_paths = string_list(v, origin, key);
    } else if (key == "bus_names") {
      r.bus_names = string_list(v, origin, key);
    } else {
      bad_policy(origin, k.source(), fmt::format("unknown key 'rule.{}'", key));
    }
  }
  if (!has_apps) bad_policy(origin, t.source(), "every [[rule]] needs 'apps'");
  return r;
}

// A valid signature that satisfies the admin: by a key of the system store (any, when
// `names` is empty; else one named by file name), or by a key whose fingerprint
// `names` lists. User-store keys never count (see trust.h).
bool has_trusted_valid(const std::vector<SignatureCheck>& checks, const std::vector<std::string>& names) {
  for (const SignatureCheck& c : checks) {
    if (!c.valid) continue;
    const bool system = c.trusted && c.trusted->store == KeyStore::System;
    if (names.empty()) {
      if (system) return true;
      continue;
    }
    const std::string fingerprint = key_fingerprint(c.signature.key);
    for (const std::string& n : names) {
      if (is_key_fingerprint(n) ? ::strcasecmp(n.c_str(), fingerprint.c_str()) == 0 : system && n == c.trusted->name) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> trust_dirs() {
  std::vector<std::string> dirs{std::string(kSystemConfigDir) + "/trusted-keys"};
  if (std::string config = xdg_dir(XdgDir::Config); !config.empty()) dirs.push_back(config + "/appv/trusted-keys");
  return dirs;
}

const char* key_store_name(KeyStore store) { return store == KeyStore::System ? "system" : "user"; }

std::vector<TrustedKey> load_trust_store(const std::vector<std::string>& dirs) {
  std::vector<TrustedKey> out;
  for (size_t i = 0; i < dirs.size(); ++i) {
    const std::string& dir = dirs[i];
    for (const std::string& name : list_dir(dir)) {
      if (name.size() <= 4 || name.substr(name.size() - 4) != ".pub") continue;
      const std::string file = dir + "/" + name;
      out.push_back({name.substr(0, name.size() - 4), file, load_public_key(file), i == 0 ? KeyStore::System : KeyStore::User});
    }
  }
  return out;
}

bool is_key_fingerprint(const std::string& s) {
  static constexpr std::string_view kPrefix = "SHA256:";
  if (s.size() != kPrefix.size() + 64 || ::strncasecmp(s.c_str(), kPrefix.data(), kPrefix.size()) != 0) return false;
  return s.find_first_not_of("0123456789abcdefABCDEF", kPrefix.size()) == std::string::npos;
}

std::vector<SignatureCheck> check_signatures(const Package& package, const std::vector<TrustedKey>& store) {
  std::vector<SignatureCheck> out;
  for (const Signature& s : package.signatures()) {
    SignatureCheck c{s, signature_valid(s, package.trailer()), std::nullopt};
    // The system store's entry wins over a user's copy of the same key.
    for (const TrustedKey& k : store) {
      if (k.key == s.key && (!c.trusted || (c.trusted->store == KeyStore::User && k.store == KeyStore::System))) c.trusted = k;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Policy load_policy(const std::string& path) {
  Policy p;
  if (!path_exists(path)) return p;
  p.origin = path;
  toml::table root = parse_toml_file(path);
  for (auto&& [k, v] : root) {
    std::string_view key = k.str();
    if (key == "require_signature") {
      p.require_signature = boolean(v, path, key);
    } else if (key == "rule") {
      const toml::array* rules = v.as_array();
      if (!rules) bad_policy(path, v.source(), "'rule' must be written as [[rule]] tables");
      for (const toml::node& r : *rules) {
        if (!r.is_table()) bad_policy(path, r.source(), "'rule' must be written as [[rule]] tables");
        p.rules.push_back(read_rule(*r.as_table(), path));
      }
    } else {
      bad_policy(path, k.source(), fmt::format("unknown key '{}'", key));
    }
  }
  return p;
}

std::string policy_refusal(const Policy& policy, const std::string& app_id, const std::vector<SignatureCheck>& checks,
                           const std::optional<std::vector<std::string>>& groups) {
  const std::string where = policy.origin.empty() ? "the policy" : policy.origin;
  if (policy.require_signature && !has_trusted_valid(checks, {})) {
    return fmt::format("{} requires a signature by a key of {}/trusted-keys, and {} has none", where, kSystemConfigDir, app_id);
  }
  for (const PolicyRule& r : policy.rules) {
    if (::fnmatch(r.apps.c_str(), app_id.c_str(), 0) != 0) continue;
    if (r.require_signature.value_or(false) && !has_trusted_valid(checks, {})) {
      return fmt::format("{} requires apps '{}' to be signed by a key of {}/trusted-keys, and {} is not", where, r.apps,
                         kSystemConfigDir, app_id);
    }
    if (!r.keys.empty() && !has_trusted_valid(checks, r.keys)) {
      return fmt::format("{} allows only {} (of {}/trusted-keys) to sign apps '{}'; {} carries no valid signature by them",
                         where, fmt::join(r.keys, ", "), kSystemConfigDir, r.apps, app_id);
    }
    if (!r.groups.empty() && groups) {
      bool member = false;
      for (const std::string& g : r.groups) {
        for (const std::string& mine : *groups) member = member || g == mine;
      }
      if (!member) {
        return fmt::format("{} lets only members of {} run apps '{}'", where, fmt::join(r.groups, ", "), r.apps);
      }
    }
  }
  return {};
}

std::vector<PermissionOverride> policy_permission_overrides(const Policy& policy, const std::string& app_id) {
  std::vector<PermissionOverride> out;
  for (const PolicyRule& r : policy.rules) {
    if (::fnmatch(r.apps.c_str(), app_id.c_str(), 0) != 0) continue;
    const std::string source = fmt::format("policy {} (apps '{}')", policy.origin.empty() ? "" : policy.origin, r.apps);
    for (const std::string& name : r.deny) out.push_back({name, false, source});
    for (const std::string& name : r.allow) out.push_back({name, true, source});
  }
  return out;
}

HostPathGrants policy_host_paths(const Policy& policy, const std::string& app_id) {
  HostPathGrants out{{}, policy.origin};
  for (const PolicyRule& r : policy.rules) {
    if (::fnmatch(r.apps.c_str(), app_id.c_str(), 0) != 0) continue;
    out.prefixes.insert(out.prefixes.end(), r.host_paths.begin(), r.host_paths.end());
  }
  return out;
}

std::vector<std::string> policy_bus_names(const Policy& policy, const std::string& app_id) {
  std::vector<std::string> out;
  for (const PolicyRule& r : policy.rules) {
    if (::fnmatch(r.apps.c_str(), app_id.c_str(), 0) == 0) out.insert(out.end(), r.bus_names.begin(), r.bus_names.end());
  }
  return out;
}

std::vector<std::string> caller_groups() {
  std::set<gid_t> gids{::getegid(), ::getgid()};
  for (const gid_t gid : supplementary_groups()) gids.insert(gid);
  std::vector<std::string> out;
  std::ifstream in("/etc/group");
  std::string line;
  while (std::getline(in, line)) {
    // name:password:gid:members
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    size_t c = b == std::string::npos ? b : line.find(':', b + 1);
    if (c == std::string::npos) continue;
    char* end = nullptr;
    const long gid = std::strtol(line.c_str() + b + 1, &end, 10);
    if (end != line.c_str() + c) continue;
    if (gids.count(static_cast<gid_t>(gid))) out.push_back(line.substr(0, a));
  }
  return out;
}

Policy load_system_policy() { return load_policy(std::string(kSystemConfigDir) + "/policy.toml"); }

void enforce_trust(const Package& package, const Policy& policy, bool check_groups) {
  const bool has_policy = !policy.origin.empty();
  if (package.signatures().empty() && !has_policy) return;
  std::vector<SignatureCheck> checks = check_signatures(package, has_policy ? load_trust_store(trust_dirs()) : std::vector<TrustedKey>{});
  for (const SignatureCheck& c : checks) {
    if (!c.valid) {
      throw Error(Exit::BadInput, fmt::format("package '{}': the signature by '{}' ({}) does not match: the package was "
                                              "changed after it was signed",
                                              package.path(), c.signature.signer, key_fingerprint(c.signature.key)));
    }
  }
  if (!has_policy) return;
  const std::string why = policy_refusal(policy, package.manifest().id, checks,
                                          check_groups ? std::optional(caller_groups()) : std::nullopt);
  if (!why.empty()) throw Error(Exit::NoPerm, fmt::format("refused by policy: {}", why));
}

}  // namespace appv
