// The environment part of the registry layer: the host's environment (or, for a
// manifest that asks for a clean one, a minimal set of it), changed by the
// manifest's [env] table with per-user tokens expanded.
#pragma once

#include <string>
#include <vector>

#include "manifests/manifest.h"
#include "manifests/tokens.h"

namespace appv {

// Variables a clean environment keeps: the user's identity, locale, terminal, and
// what a desktop app needs to reach the session (display, D-Bus, sound).
bool kept_in_clean_environment(std::string_view name);

// Returns NAME=VALUE strings, in this order of application:
//   the host's variables (`host`, as in environ; only the kept ones if env.clean,
//     with PATH reset to the system default);
//   GSETTINGS_BACKEND=keyfile, so GSettings writes land in the view, not the host's dconf;
//   env.unset, env.set, then prepend/append to ':'-separated lists (an empty or unset
//     list gets just the new value), values expanded with `tokens` (${HOME},
//     ${XDG_CONFIG_HOME}, ${APPV_ROOT}...);
//   `tokens`' APPV_* entries (APPV_APP_ID, APPV_ROOT), which the manifest cannot override.
// Throws Exit::BadInput for a value naming a token this user lacks.
std::vector<std::string> build_environment(const char* const* host, const Environment& env, const Tokens& tokens);

}  // namespace appv
