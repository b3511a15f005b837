#include "launcher/module_loader.h"

#include <dlfcn.h>

#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "launcher/format.h"
#include "launcher/reporter.h"

namespace appv::cli {

void* module_symbol(const char* file, const char* what, const char* symbol) {
  const std::string self = self_exe();
  const std::string dir = self.substr(0, self.find_last_of('/'));
  std::string tried;
  for (const std::string& path : {dir + "/" + file, dir + "/../lib/appv/" + file}) {
    // RTLD_LOCAL: the module's symbols (its own copy of appv's libraries, libcurl's)
    // never become candidates for anything else loaded later. A second dlopen of the
    // same path returns the loaded module.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      tried += (tried.empty() ? "" : "; ") + std::string(::dlerror());
      continue;
    }
    void* entry = ::dlsym(module, symbol);
    if (!entry) throw Error(Exit::Internal, fmt::format("'{}' has no {}", path, symbol));
    return entry;
  }
  throw Error(Exit::Environment, fmt::format("cannot load {}: {}", what, tried));
}

const DistributionEntries& distribution_module() {
  static const DistributionEntries* entries = reinterpret_cast<DistributionTable>(
      module_symbol("libappv-distribution.so", "the distribution module", kDistributionEntriesSymbol))();
  // Options are parsed before any command runs, so -q is known by now.
  entries->set_quiet(quiet());
  return *entries;
}

}  // namespace appv::cli
