// Trust and policy: which signature keys a machine trusts, and what its administrator
// requires before a package may run (/etc/appv/policy.toml).
//
//   require_signature = false        # every package must carry a trusted signature
//   [[rule]]
//   apps = "com.example.*"           # glob over app ids ('*', '?', '[...]')
//   require_signature = true         # for these apps
//   keys = ["release"]               # only these trusted keys may sign them
//   groups = ["staff"]               # only members of these unix groups may run them
//   host_paths = ["~/Documents"]     # host paths these apps' manifests may open (host,
//                                    # or merged over a stricter default); vfs/view.h
//
// Every rule whose `apps` matches applies; all must be satisfied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfs/package.h"
#include "vfs/view.h"

namespace appv {

inline constexpr const char* kSystemConfigDir = "/etc/appv";

struct TrustedKey {
  std::string name;  // the file's name without .pub
  std::string file;
  PublicKey key{};
};

// /etc/appv/trusted-keys, then $XDG_CONFIG_HOME/appv/trusted-keys.
std::vector<std::string> trust_dirs();
// Every *.pub in `dirs`; a file that is not an Ed25519 public key is an error (an
// administrator's typo must not silently trust nothing).
std::vector<TrustedKey> load_trust_store(const std::vector<std::string>& dirs);

struct SignatureCheck {
  Signature signature;
  bool valid = false;
  std::optional<TrustedKey> trusted;  // the store's entry for its key
};
std::vector<SignatureCheck> check_signatures(const Package& package, const std::vector<TrustedKey>& store);

struct PolicyRule {
  std::string apps;
  std::optional<bool> require_signature;
  std::vector<std::string> keys;
  std::vector<std::string> groups;
  std::vector<std::string> host_paths;  // prefixes, "~" and $XDG_* allowed
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

// "" if `app_id` may run here, else why not. `groups` are the caller's group names;
// nullopt skips the groups rules (installing for others is not running).
std::string policy_refusal(const Policy& policy, const std::string& app_id, const std::vector<SignatureCheck>& checks,
                           const std::optional<std::vector<std::string>>& groups);

// Every host_paths entry of the rules whose `apps` matches `app_id`, with the policy's
// file as their origin (for launch/launch_plan.h's LaunchInputs::host_paths).
HostPathGrants policy_host_paths(const Policy& policy, const std::string& app_id);

// The calling user's group names, read from /etc/group (no NSS: the runtime stub is static).
std::vector<std::string> caller_groups();

// What `appv run` does before touching the payload: refuses a package whose signature
// does not verify (Exit::BadInput: it was changed after signing), then one the policy
// refuses (Exit::NoPerm). Cheap when nothing is signed and there is no policy.
// `check_groups` false: the groups rules are left to whoever runs it (appv sync).
void enforce_trust(const Package& package, bool check_groups = true);

}  // namespace appv
