// The environment part of the registry layer: the host's environment, changed by the
// manifest's [env] table.
#pragma once

#include <string>
#include <vector>

#include "manifests/manifest.h"

namespace appv {

// Returns NAME=VALUE strings: `host` (as in environ) with `env` applied: unset first,
// then set, then prepend/append to ':'-separated lists (an empty or unset list gets
// just the new value). `extra` (e.g. APPV_APP_ID) is set last.
std::vector<std::string> build_environment(const char* const* host, const Environment& env,
                                           const std::vector<std::pair<std::string, std::string>>& extra);

}  // namespace appv
