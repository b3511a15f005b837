#include "launcher/app_ids.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/text.h"
#include "launcher/install_roots.h"
#include "vfs/sandbox.h"

namespace appv::cli {

std::vector<std::string> installed_app_ids(bool system) {
  std::vector<std::string> ids;
  // Reading the system's installs needs no root (install_roots refuses --system to
  // users because it is for changing them).
  for (const InstalledApp& app : list_installed(system ? InstallRoots::for_system() : InstallRoots::for_user())) {
    ids.push_back(app.id);
  }
  return ids;
}

std::vector<std::string> sandbox_app_ids() {
  const std::string root = sandboxes_root();
  std::vector<std::string> ids;
  if (!path_exists(root)) return ids;
  for (const std::string& name : list_dir(root)) {
    if (name[0] != '.') ids.push_back(name);
  }
  return ids;
}

std::string app_id_hint(const std::string& id, const std::vector<std::string>& known) {
  const std::optional<std::string> best = closest_match(id, known);
  return best ? fmt::format("; did you mean '{}'?", printable(*best)) : "";
}

int suggesting_app_id(const std::string& id, const std::function<std::vector<std::string>()>& known,
                      const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    if (e.code() != Exit::Usage && e.code() != Exit::NoInput) throw;
    std::vector<std::string> ids;
    try {
      ids = known();
    } catch (const Error&) {
      throw e;  // no list to suggest from: the error as it was
    }
    const std::string hint = app_id_hint(id, ids);
    if (hint.empty()) throw;
    throw Error(e.code(), e.what() + hint, e.op(), e.path(), e.err());
  }
}

}  // namespace appv::cli
