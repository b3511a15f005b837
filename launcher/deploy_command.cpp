// `appv sync`, `appv update` and `appv rollback`: their bodies, in the distribution
// module (their options: distribution_options.cpp).
#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "distribution/deploy.h"
#include "launcher/app_ids.h"
#include "launcher/distribution_commands.h"
#include "launcher/format.h"
#include "launcher/install_roots.h"
#include "launcher/reporter.h"

namespace appv::cli {
namespace {

// The line sync, update and rollback print for one app (failures go to stderr);
// `config` names the apps.toml a removed app is no longer in. Versions and messages
// come from packages and registries: printed escaped.
void print_outcome(const AppOutcome& raw, const std::string& config = "") {
  using Kind = AppOutcome::Kind;
  AppOutcome o = raw;
  for (std::string* s : {&o.id, &o.version, &o.previous_version, &o.reference}) *s = printable(*s);
  o.error = printable_message(o.error);
  // A dry run says what would be done, in the same shape.
  const char* would = o.planned ? "would be " : "";
  switch (o.kind) {
    case Kind::UpToDate:
      say("{} {}: up to date ({})\n", o.id, o.version, o.reference);
      break;
    case Kind::Installed:
      say("{}: {}installed {} ({})\n", o.id, would, o.version, o.reference);
      break;
    case Kind::Updated:
      say("{}: {}updated {} -> {} ({})\n", o.id, would, o.previous_version, o.version, o.reference);
      break;
    case Kind::Downgraded:
      say("{}: {}downgraded {} -> {} ({})\n", o.id, would, o.previous_version, o.version, o.reference);
      break;
    case Kind::RolledBack:
      say("{}: rolled back {} -> {}{}\n", o.id, o.previous_version.empty() ? "?" : o.previous_version, o.version,
                 o.reference.empty() ? "" : fmt::format(" ({})", o.reference));
      break;
    case Kind::Removed:
      say("{}: {}removed (no longer in {})\n", o.id, would, config);
      break;
    case Kind::Failed:
      // One line per app that failed, naming it once.
      std::fprintf(stderr, "appv: %s%s\n", o.error.find(o.reference) == std::string::npos ? (o.reference + ": ").c_str() : "",
                   o.error.c_str());
      break;
  }
}

}  // namespace

int cmd_sync(const std::string& config, bool system, const SyncOptions& sync, const OciArgs& args) {
  AppsConfig apps = load_apps_config(config);
  int failed = 0;
  int status = sync_apps(apps, options_for(apps, oci_options(args)), install_roots(system, RootsUse::Change), self_exe(), sync,
                         [&](const AppOutcome& o) {
    print_outcome(o, apps.origin);
    if (o.kind == AppOutcome::Kind::Failed) ++failed;
    // Each app's line as soon as it is done, for a log read while sync runs.
    std::fflush(stdout);
  });
  if (failed > 1) std::fprintf(stderr, "appv: %d apps failed; nothing was removed\n", failed);
  return status;
}

int cmd_update(const std::string& id, bool system, const OciArgs& args) {
  return suggesting_app_id(id, [system] { return installed_app_ids(system); }, [&] {
    print_outcome(update_app(id, oci_options(args), install_roots(system, RootsUse::Change), self_exe()));
    return 0;
  });
}

int cmd_rollback(const std::string& id, bool system) {
  return suggesting_app_id(id, [system] { return installed_app_ids(system); }, [&] {
    print_outcome(rollback_app(id, install_roots(system, RootsUse::Change), self_exe(), stderr_reporter()));
    return 0;
  });
}

}  // namespace appv::cli
