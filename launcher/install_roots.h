// Where `appv install`, `sync`, `update`, `rollback`, `uninstall` and `list` work: the
// user's own data directories, or with --system every user's (root only). Shared by
// appv and the distribution module.
#pragma once

#include <unistd.h>

#include "base/error.h"
#include "desktop/install.h"

namespace appv::cli {

inline InstallRoots install_roots(bool system) {
  if (!system) return InstallRoots::for_user();
  if (::geteuid() != 0) throw Error(Exit::Usage, "--system installs for every user and needs root");
  return InstallRoots::for_system();
}

}  // namespace appv::cli
