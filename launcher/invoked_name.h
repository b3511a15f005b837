// Busybox style: a self-executing package started through a link named after one of
// its entry points (`~/.local/bin/uxterm -> xterm.appv`, made by
// `appv install --command`) runs that entry point.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "manifests/manifest.h"

namespace appv::cli {

// The entry point of `manifest` named like the last component of `argv0` (the name
// the stub was started by), or nullopt: another name (the package's own file name,
// "xterm.appv") runs the default entry point.
std::optional<std::string> entry_named_by(std::string_view argv0, const Manifest& manifest);

}  // namespace appv::cli
