// appv's modules: the commands whose libraries a launch must not pay for live in
// shared objects beside appv, loaded only when one of their commands runs. `appv
// run PKG` maps neither LIEF (the pack module) nor libcurl and its TLS, LDAP and
// Kerberos tree (the distribution module): every library a process maps costs the
// dynamic loader and the kernel time at each start.
//
// A module links its own copies of appv's static libraries with their symbols
// hidden, so nothing of appv's crosses the boundary but the entry points below (plain
// functions over the argument structs of commands.h). Exceptions do not cross it
// either: each entry point reports its own errors and returns the exit status. That is
// also what lets appv carry its own C++ runtime (linked statically, for a faster
// start) while a module uses the shared one: the two copies lay out those structs'
// strings and vectors alike and allocate with the same malloc.
#pragma once

#include "launcher/commands.h"

namespace appv::cli {

// The address of `symbol` in the module `file` ("libappv-pack.so"), loaded from
// beside appv (the build tree) or from ../lib/appv (the installed layout); a module
// is loaded once per process. `what` names it in errors ("the packer module").
// Throws Exit::Environment when no copy can be loaded (dlerror's text for each path
// tried), Exit::Internal when the module lacks the symbol.
void* module_symbol(const char* file, const char* what, const char* symbol);

// The distribution module's entry points (libappv-distribution.so), told whether
// -q was given.
const DistributionEntries& distribution_module();

}  // namespace appv::cli
