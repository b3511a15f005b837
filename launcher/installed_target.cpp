#include "launcher/installed_target.h"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/text.h"
#include "desktop/install.h"
#include "manifests/manifest.h"

namespace appv::cli {
namespace {

// The user's installation, or nullopt where there is no home to have one (HOME and
// XDG_DATA_HOME unset or relative): then only the system's is looked in.
std::optional<InstallRoots> user_roots() {
  try {
    return InstallRoots::for_user();
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<std::string> installed_package(const std::string& id, const InstallRoots& roots) {
  try {
    std::optional<InstalledApp> app = find_installed(id, roots);
    if (app && path_exists(app->package)) return app->package;
  } catch (const Error&) {
    // An unreadable record is an installation this user cannot use.
  }
  return std::nullopt;
}

std::vector<std::string> installed_ids(const std::vector<InstallRoots>& places) {
  std::vector<std::string> ids;
  for (const InstallRoots& roots : places) {
    try {
      for (const InstalledApp& app : list_installed(roots)) ids.push_back(app.id);
    } catch (const Error&) {
    }
  }
  return ids;
}

}  // namespace

RunTarget resolve_run_target(const std::string& word) {
  if (path_exists(word) || !valid_app_id(word)) return {word, ""};
  const std::optional<InstallRoots> user = user_roots();
  const InstallRoots system = InstallRoots::for_system();
  if (user) {
    if (std::optional<std::string> package = installed_package(word, *user)) return {*package, "user"};
  }
  if (std::optional<std::string> package = installed_package(word, system)) return {*package, "system"};

  std::vector<InstallRoots> places;
  if (user) places.push_back(*user);
  places.push_back(system);
  const std::optional<std::string> near = closest_match(word, installed_ids(places));
  throw Error(Exit::NoInput,
              fmt::format("'{}' is no package file here and no installed app (looked in {}{}/installed){}", printable(word),
                          user ? user->appv + "/installed and " : "", system.appv,
                          near ? fmt::format("; did you mean '{}'?", printable(*near)) : ""));
}

}  // namespace appv::cli
