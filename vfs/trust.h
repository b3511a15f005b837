// Trust and policy: which signature keys a machine trusts, and what its administrator
// requires before a package may run (/etc/appv/policy.toml).
//
//   require_signature = false        # every package must carry a trusted signature
//   [[rule]]
//   apps = "com.example.*"           # glob over app ids ('*', '?', '[...]')
//   require_signature = true         # for these apps
//   keys = ["release", "SHA256:<hex>"]  # only these keys may sign them
//   groups = ["staff"]               # only members of these unix groups may run them
//   deny = ["network", "session-bus"]  # permissions these apps never get (manifests/permissions.h)
//   allow = ["network"]              # lifts an earlier matching rule's deny (never grants more than asked)
//   host_paths = ["~/Documents"]     # host paths these apps' manifests may open (host,
//                                    # or merged over a stricter default); vfs/view.h
//
// Every rule whose `apps` matches applies; all must be satisfied.
//
// Trust is the administrator's. Keys come from two stores: the system store
// (/etc/appv/trusted-keys, root's) and the user's (~/.config/appv/trusted-keys). Only
// the system store satisfies the policy: `require_signature` needs a valid signature by
// a key of the system store, and a name in `keys` means the system store's key of that
// file name, matched by its key bytes (a user's own `release.pub` never stands for the
// admin's `release`). A `keys` entry may also be a fingerprint ("SHA256:" + 64 hex
// digits, as `appv keygen` and `verify` print it): the admin named the key itself, so a
// valid signature by that key satisfies it whichever store holds it, if any. The user's
// store only tells `appv verify` and `info` that you trust a key (for your own packages
// when the policy requires nothing); it never lets a package past the policy.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfs/package.h"
#include "vfs/view.h"

namespace appv {

inline constexpr const char* kSystemConfigDir = "/etc/appv";

enum class KeyStore { System, User };
const char* key_store_name(KeyStore store);  // "system", "user"

struct TrustedKey {
  std::string name;  // the file's name without .pub
  std::string file;
  PublicKey key{};
  KeyStore store = KeyStore::System;
};

// /etc/appv/trusted-keys (the system store), then $XDG_CONFIG_HOME/appv/trusted-keys
// (the user's). The first directory is the system store.
std::vector<std::string> trust_dirs();
// Every *.pub in `dirs`, the first directory's marked KeyStore::System, the others'
// KeyStore::User; a file that is not an Ed25519 public key is an error (an
// administrator's typo must not silently trust nothing).
std::vector<TrustedKey> load_trust_store(const std::vector<std::string>& dirs);

// True if `s` is spelled as a key fingerprint: "SHA256:" then 64 hex digits (either case).
bool is_key_fingerprint(const std::string& s);

struct SignatureCheck {
  Signature signature;
  bool valid = false;
  std::optional<TrustedKey> trusted;  // the store's entry for its key; the system store's when both hold it
};
std::vector<SignatureCheck> check_signatures(const Package& package, const std::vector<TrustedKey>& store);

struct PolicyRule {
  std::string apps;
  std::optional<bool> require_signature;
  std::vector<std::string> keys;
  std::vector<std::string> groups;
  std::vector<std::string> deny, allow;  // permission names (manifests/permissions.h)
  std::vector<std::string> host_paths;  // prefixes, "~" and $XDG_* allowed
  // Restricted D-Bus names (manifests/permissions.h restricted_bus_name) the matching
  // apps may talk to or own: names, or patterns ending in ".*".
  std::vector<std::string> bus_names;
};

struct Policy {
  std::string origin;  // the file, or "" when there is none
  bool require_signature = false;
  std::vector<PolicyRule> rules;
};

// Reads the policy; an absent file is the empty policy. Throws Exit::BadInput with
// file:line:col for a malformed one (a broken policy refuses everything rather than
// nothing).
Policy load_policy(const std::string& path);
// The machine's policy: load_policy() of /etc/appv/policy.toml.
Policy load_system_policy();

// "" if `app_id` may run here, else why not. `groups` are the caller's group names;
// nullopt skips the groups rules (installing for others is not running).
std::string policy_refusal(const Policy& policy, const std::string& app_id, const std::vector<SignatureCheck>& checks,
                           const std::optional<std::vector<std::string>>& groups);

// The policy's word on each permission of `app_id`, in rule order (later rules win),
// each naming the file and the rule, for resolve_permissions().
std::vector<PermissionOverride> policy_permission_overrides(const Policy& policy, const std::string& app_id);
// Every host_paths entry of the rules whose `apps` matches `app_id`, with the policy's
// file as their origin (for launch/launch_plan.h's LaunchInputs::host_paths).
HostPathGrants policy_host_paths(const Policy& policy, const std::string& app_id);
// The restricted bus names the rules matching `app_id` allow (PolicyRule::bus_names).
std::vector<std::string> policy_bus_names(const Policy& policy, const std::string& app_id);

// The calling user's group names, read from /etc/group (no NSS: the runtime stub is static).
std::vector<std::string> caller_groups();

// What `appv run` does before touching the payload: refuses a package whose signature
// does not verify (Exit::BadInput: it was changed after signing), then one `policy`
// (load_system_policy()) refuses (Exit::NoPerm). Cheap when nothing is signed and
// there is no policy. `check_groups` false: the groups rules are left to whoever runs
// it (appv sync).
void enforce_trust(const Package& package, const Policy& policy, bool check_groups = true);

}  // namespace appv
