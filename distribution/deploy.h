// Managed deployment: `appv sync` brings a machine's installed apps to what an admin
// declares in apps.toml (OCI references, by tag or digest); `appv update APP` does it
// for one app; `appv rollback APP` returns to the version an update replaced. The
// user's sandbox belongs to the app id and survives all three.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

#include "desktop/install.h"
#include "distribution/oci_client.h"
#include "distribution/oci_reference.h"

namespace appv {

inline constexpr const char* kDefaultAppsConfig = "/etc/appv/apps.toml";

// apps.toml:
//   ca_file = "/etc/appv/registry-ca.pem"   # optional, for every registry
//   insecure = false                        # plain HTTP to non-loopback registries
//   auth_file = "/etc/appv/auth.json"       # docker/podman auth file with the logins
//   [[app]]
//   ref = "registry.example.com/tools/jq:1.6"
struct AppsConfig {
  std::string origin;
  std::vector<OciReference> apps;
  std::string ca_file, auth_file;
  bool insecure = false;
};

// Exit::NoInput if absent; Exit::BadInput with file:line:col for anything malformed
// (unknown keys, bad references, the same reference twice).
AppsConfig load_apps_config(const std::string& path);

// The OCI options apps.toml gives, under the command line's.
OciOptions options_for(const AppsConfig& config, OciOptions base);

// What sync, update or rollback did to one app: the command's result, which the
// command line words (one line per outcome).
struct AppOutcome {
  enum class Kind {
    UpToDate,    // `reference` still resolves to what is installed; nothing was fetched
    Installed,   // new: `version` from `reference`
    Updated,     // `previous_version` -> `version`, a newer version (or one not comparable)
    Downgraded,  // `previous_version` -> `version`, an older version (compare_versions)
    RolledBack,  // `previous_version` (empty: unknown) -> `version`
    Removed,     // sync removed it: no longer listed
    Failed,      // `error` says why; nothing was changed for this app
  };
  Kind kind = Kind::Failed;
  std::string id;         // empty only for Failed, when the package was never read
  std::string reference;  // the OCI reference the app comes from; empty for an app from a file
  std::string version, previous_version;
  Exit status = Exit::Ok;  // Failed: the failure's exit status
  std::string error;       // Failed: the failure's message
  bool planned = false;    // a dry run's: what sync would do; nothing was changed
};

// Orders two version strings as dpkg does (without epochs): runs of digits compare as
// numbers, other runs character by character with letters before other characters and
// '~' before everything, even the end ("1.0~rc1" < "1.0" < "1.0a" < "1.0.1" < "1.10").
// Negative, zero or positive, as strcmp.
int compare_versions(std::string_view a, std::string_view b);

struct SyncOptions {
  // Resolve every reference (manifests only, no package downloaded) and report what
  // would be done, as planned outcomes; change nothing.
  bool dry_run = false;
  // Without it, a sync that would remove more than half of the apps it manages (or
  // every one) refuses to remove any: an emptied or truncated list is more often a
  // mistake than a decision.
  bool allow_mass_removal = false;
};

// Makes `roots` hold exactly the apps `config` lists (apps installed by hand are left
// alone): pulls and verifies what is new or changed, installs it (the replaced version
// is kept for rollback), and removes apps sync installed that are no longer listed —
// unless some app failed, when nothing is removed, or the removals are too many (see
// SyncOptions: Exit::Usage naming them, after the listed apps were brought up to date).
// Calls `on_outcome` once per app as each is done (in the order of `config`, then the
// removals), so the command line can print while sync goes on. Holds a lock so a timer
// and an admin never run it twice at once (Exit::Busy). Returns 0, or the exit status
// of the first app that failed.
int sync_apps(const AppsConfig& config, const OciOptions& options, const InstallRoots& roots, const std::string& appv_exe,
              const SyncOptions& sync, const std::function<void(const AppOutcome&)>& on_outcome);

// `appv update APP`: the same for one installed app, from the reference it came from
// (UpToDate, Updated or Installed; failures are thrown: Exit::NoInput when `id` is not
// installed).
AppOutcome update_app(const std::string& id, const OciOptions& options, const InstallRoots& roots,
                      const std::string& appv_exe);

// `appv rollback APP`, under the same lock (RolledBack; failures are thrown: Exit::NoInput
// when `id` is not installed). Warnings (a missing desktop database tool) go to `reporter`.
AppOutcome rollback_app(const std::string& id, const InstallRoots& roots, const std::string& appv_exe,
                        Reporter& reporter);

}  // namespace appv
