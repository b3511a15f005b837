// Where `appv install`, `sync`, `update`, `rollback`, `uninstall` and `list` work: the
// user's own data directories, or with --system every user's. Shared by appv and the
// distribution module.
#pragma once

#include <unistd.h>

#include "base/error.h"
#include "desktop/install.h"

namespace appv::cli {

// What a command does with an installation: reads it (list, did-you-mean ids) or
// changes it (install, uninstall, sync, update, rollback).
enum class RootsUse { Read, Change };

// The user's installation, or with `system` every user's. Every user may read the
// system's (they run what it holds); changing it needs root: Error(Exit::Usage,
// "--system installs for every user and needs root") otherwise.
inline InstallRoots install_roots(bool system, RootsUse use) {
  if (!system) return InstallRoots::for_user();
  if (use == RootsUse::Change && ::geteuid() != 0) {
    throw Error(Exit::Usage, "--system installs for every user and needs root");
  }
  return InstallRoots::for_system();
}

}  // namespace appv::cli
