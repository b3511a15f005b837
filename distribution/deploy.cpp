#include "distribution/deploy.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "distribution/oci_artifact.h"
#include "distribution/oci_store.h"
#include "manifests/toml_reader.h"
#include "base/error.h"
#include "base/file_lock.h"
#include "base/fs_util.h"
#include "base/text.h"
#include "vfs/package.h"
#include "vfs/payload.h"
#include "vfs/trust.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

[[noreturn]] void bad_config(const std::string& origin, const toml::source_region& where, std::string_view what) {
  toml_fail(origin, where, what);
}

std::string string_value(const toml::node& v, const std::string& origin, std::string_view key) {
  if (!v.is_string()) bad_config(origin, v.source(), fmt::format("'{}' must be a string", key));
  return std::string(*v.value<std::string_view>());
}

// One sync or update at a time per installation (a timer and an admin may overlap).
UniqueFd lock_installation(const InstallRoots& roots) {
  make_dirs(roots.appv, 0755);
  const std::string path = roots.appv + "/sync.lock";
  UniqueFd fd = lock_file(path, 0644, LockWait::Try);
  if (!fd) throw Error(Exit::Busy, fmt::format("another appv sync, update or rollback holds '{}'", path));
  return fd;
}

AppOutcome changed(const std::optional<InstalledApp>& before, const std::string& id, const std::string& version,
                   const OciReference& ref);

// Pulls `ref` unless `installed` came from it at the same digest; then verifies and
// installs. Returns what it did (never Failed: failures are thrown).
AppOutcome deploy(const OciReference& ref, const OciOptions& options, const InstallRoots& roots,
                  const std::string& appv_exe, const std::optional<InstalledApp>& installed) {
  const std::string same = installed && installed->origin == ref.str() ? installed->digest : "";
  PulledPackage pulled = pull_package(ref, options, roots.appv + "/oci", /*offline_fallback=*/false, same);
  AppOutcome out;
  out.reference = ref.str();
  if (pulled.unchanged) {
    out.kind = AppOutcome::Kind::UpToDate;
    out.id = installed->id;
    out.version = installed->version;
    return out;
  }
  struct Cleanup {
    std::string path;
    ~Cleanup() { ::unlink(path.c_str()); }  // installed packages are copies
  } cleanup{pulled.path};
  Package package = Package::open(pulled.path);
  verify_package(package);
  // Signatures and which keys may sign which apps; the groups rules are for whoever runs it.
  enforce_trust(package, load_system_policy(), /*check_groups=*/false);
  std::optional<InstalledApp> before = find_installed(package.manifest().id, roots);
  if (before && before->origin.empty() && !installed) {
    throw Error(Exit::Usage, fmt::format("{}: {} is installed by hand; uninstall it first to let sync manage it",
                                         ref.str(), before->id));
  }
  InstalledApp now = install_package(pulled.path, roots, appv_exe, *options.reporter, {ref.str(), pulled.manifest_digest});
  return changed(before, now.id, now.version, ref);
}

// Installed, Updated or Downgraded: `id` at `version` from `ref`, replacing `before`.
AppOutcome changed(const std::optional<InstalledApp>& before, const std::string& id, const std::string& version,
                   const OciReference& ref) {
  AppOutcome out;
  out.reference = ref.str();
  out.id = id;
  out.version = version;
  out.kind = AppOutcome::Kind::Installed;
  if (before) {
    out.previous_version = before->version;
    out.kind = compare_versions(version, before->version) < 0 ? AppOutcome::Kind::Downgraded : AppOutcome::Kind::Updated;
  }
  return out;
}

// What deploy() would do, from the OCI manifest alone (its annotations name the app id
// and version; a foreign manifest without them is taken as the installed app's, or as
// an unknown one). Never downloads a package.
AppOutcome plan_deploy(const OciReference& ref, const OciOptions& options, const InstallRoots& roots,
                       const std::optional<InstalledApp>& installed) {
  OciClient client(ref, options);
  const OciClient::Manifest m = client.get_manifest(ref.reference());
  const PackageManifest pm = parse_package_manifest(m.bytes, ref.str());
  AppOutcome out;
  if (installed && installed->digest == m.digest) {
    out.kind = AppOutcome::Kind::UpToDate;
    out.reference = ref.str();
    out.id = installed->id;
    out.version = installed->version;
  } else {
    const std::string id = !pm.app_id.empty() ? pm.app_id : installed ? installed->id : "";
    std::optional<InstalledApp> before = id.empty() ? std::nullopt : find_installed(id, roots);
    if (before && before->origin.empty() && !installed) {
      throw Error(Exit::Usage, fmt::format("{}: {} is installed by hand; uninstall it first to let sync manage it",
                                           ref.str(), before->id));
    }
    out = changed(before, id.empty() ? "(unknown app)" : id, pm.version.empty() ? "?" : pm.version, ref);
  }
  out.planned = true;
  return out;
}

}  // namespace

namespace {

// dpkg's ordering of one character in a non-digit run: '~' first (before even the end
// of the run), then the end, then letters, then everything else.
int version_char_order(char c) {
  if (c == '~') return -1;
  if (std::isalpha(static_cast<unsigned char>(c))) return c;
  return c + 256;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    // A run of non-digits, compared character by character (the end counts as 0).
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      const int ca = i < a.size() && !is_digit(a[i]) ? version_char_order(a[i]) : 0;
      const int cb = j < b.size() && !is_digit(b[j]) ? version_char_order(b[j]) : 0;
      if (ca != cb) return ca < cb ? -1 : 1;
      if (i < a.size() && !is_digit(a[i])) ++i;
      if (j < b.size() && !is_digit(b[j])) ++j;
    }
    // A run of digits, compared as a number of any length: leading zeros skipped,
    // then the longer run is larger, then the first differing digit decides.
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    size_t ea = i, eb = j;
    while (ea < a.size() && is_digit(a[ea])) ++ea;
    while (eb < b.size() && is_digit(b[eb])) ++eb;
    if (ea - i != eb - j) return ea - i < eb - j ? -1 : 1;
    if (const int c = a.substr(i, ea - i).compare(b.substr(j, eb - j)); c != 0) return c < 0 ? -1 : 1;
    i = ea;
    j = eb;
  }
  return 0;
}

AppsConfig load_apps_config(const std::string& path) {
  AppsConfig c;
  c.origin = path;
  if (!path_exists(path)) throw Error(Exit::NoInput, fmt::format("'{}' does not exist", path));
  toml::table root = parse_toml_file(path);
  std::set<std::string> seen;
  for (auto&& [k, v] : root) {
    std::string_view key = k.str();
    if (key == "ca_file") {
      c.ca_file = string_value(v, path, key);
    } else if (key == "auth_file") {
      c.auth_file = string_value(v, path, key);
    } else if (key == "insecure") {
      if (!v.is_boolean()) bad_config(path, v.source(), "'insecure' must be true or false");
      c.insecure = *v.value<bool>();
    } else if (key == "app") {
      const toml::array* apps = v.as_array();
      if (!apps) bad_config(path, v.source(), "'app' must be written as [[app]] tables");
      for (const toml::node& a : *apps) {
        const toml::table* t = a.as_table();
        if (!t) bad_config(path, a.source(), "'app' must be written as [[app]] tables");
        const toml::node* ref = nullptr;
        for (auto&& [ak, av] : *t) {
          if (ak.str() != "ref") bad_config(path, ak.source(), fmt::format("unknown key '{}' in [[app]] (only 'ref')", ak.str()));
          ref = &av;
        }
        if (!ref) bad_config(path, a.source(), "[[app]] needs ref = \"REGISTRY/REPOSITORY:TAG\"");
        std::string text = string_value(*ref, path, "ref");
        OciReference parsed;
        try {
          parsed = parse_oci_reference(text);
        } catch (const Error& e) {
          bad_config(path, ref->source(), e.what());
        }
        if (!seen.insert(parsed.str()).second) bad_config(path, ref->source(), fmt::format("'{}' is listed twice", text));
        c.apps.push_back(parsed);
      }
    } else {
      bad_config(path, k.source(), fmt::format("unknown key '{}'", key));
    }
  }
  return c;
}

OciOptions options_for(const AppsConfig& config, OciOptions base) {
  if (base.ca_file.empty()) base.ca_file = config.ca_file;
  base.insecure = base.insecure || config.insecure;
  if (!config.auth_file.empty()) base.auth_files = {config.auth_file};
  return base;
}

int sync_apps(const AppsConfig& config, const OciOptions& options, const InstallRoots& roots, const std::string& appv_exe,
              const SyncOptions& sync, const std::function<void(const AppOutcome&)>& on_outcome) {
  UniqueFd lock = lock_installation(roots);
  std::map<std::string, InstalledApp> by_origin;
  size_t managed = 0;
  for (const InstalledApp& app : list_installed(roots)) {
    if (app.origin.empty()) continue;
    by_origin.emplace(app.origin, app);
    ++managed;
  }
  std::set<std::string> listed_ids;
  int status = 0;
  for (const OciReference& ref : config.apps) {
    auto it = by_origin.find(ref.str());
    std::optional<InstalledApp> installed = it == by_origin.end() ? std::nullopt : std::optional(it->second);
    AppOutcome outcome;
    try {
      outcome = sync.dry_run ? plan_deploy(ref, options, roots, installed) : deploy(ref, options, roots, appv_exe, installed);
      listed_ids.insert(outcome.id);
    } catch (const Error& e) {
      outcome.kind = AppOutcome::Kind::Failed;
      outcome.reference = ref.str();
      outcome.status = e.code();
      outcome.error = e.what();
      outcome.planned = sync.dry_run;
      if (status == 0) status = static_cast<int>(e.code());
    }
    on_outcome(outcome);
  }
  // Removing on a partial view could remove an app whose new reference merely failed.
  if (status != 0) return status;
  std::vector<InstalledApp> removals;
  for (const InstalledApp& app : list_installed(roots)) {
    if (!app.origin.empty() && !listed_ids.count(app.id)) removals.push_back(app);
  }
  if (!removals.empty() && !sync.allow_mass_removal && (removals.size() == managed || 2 * removals.size() > managed)) {
    std::string names;
    for (const InstalledApp& app : removals) names += (names.empty() ? "" : ", ") + app.id;
    throw Error(Exit::Usage, fmt::format("{} would remove {} of the {} apps sync manages ({}): nothing was removed; if "
                                         "that is meant, run again with --allow-mass-removal",
                                         config.origin, removals.size(), managed, names));
  }
  for (const InstalledApp& app : removals) {
    if (!sync.dry_run) uninstall_package(app.id, roots, *options.reporter);
    AppOutcome removed;
    removed.kind = AppOutcome::Kind::Removed;
    removed.id = app.id;
    removed.reference = app.origin;
    removed.version = app.version;
    removed.planned = sync.dry_run;
    on_outcome(removed);
  }
  return 0;
}

namespace {

// The installed app `id`. One that names nothing installed is a missing input (66), as
// for run and sandbox rm; asked once before the installation's lock file is made, so a
// mistyped id leaves none behind, and again under the lock.
InstalledApp require_installed(const std::string& id, const InstallRoots& roots) {
  std::optional<InstalledApp> app = find_installed(id, roots);
  if (!app) throw Error(Exit::NoInput, fmt::format("'{}' is not installed (see appv list)", printable(id)));
  return *app;
}

}  // namespace

AppOutcome update_app(const std::string& id, const OciOptions& options, const InstallRoots& roots,
                      const std::string& appv_exe) {
  require_installed(id, roots);
  UniqueFd lock = lock_installation(roots);
  const InstalledApp app = require_installed(id, roots);
  if (app.origin.empty()) {
    throw Error(Exit::Usage, fmt::format("'{}' was installed from a file: install the newer file with appv install", id));
  }
  return deploy(parse_oci_reference(app.origin), options, roots, appv_exe, app);
}

AppOutcome rollback_app(const std::string& id, const InstallRoots& roots, const std::string& appv_exe,
                        Reporter& reporter) {
  require_installed(id, roots);
  UniqueFd lock = lock_installation(roots);
  const InstalledApp before = require_installed(id, roots);
  InstalledApp now = rollback_package(id, roots, appv_exe, reporter);
  AppOutcome out;
  out.kind = AppOutcome::Kind::RolledBack;
  out.id = id;
  out.reference = now.origin;
  out.version = now.version;
  out.previous_version = before.version;
  return out;
}

}  // namespace appv
