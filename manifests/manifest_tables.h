// The manifest's [desktop] and [permissions] tables read from and written back to TOML
// (manifest.cpp reads and writes the whole manifest with them). Apart from the types'
// headers so that the many files which use Desktop and Permissions do not parse
// toml++ (header-only: each file including it compiles the whole parser).
#pragma once

#include <string>

#include <toml++/toml.h>

#include "manifests/desktop.h"
#include "manifests/permissions.h"

namespace appv {

// Reads a desktop table. `context` prefixes key names in errors ("desktop.",
// "entry.xclock.desktop."). Errors are Exit::BadInput "ORIGIN:LINE:COL: ...".
Desktop read_desktop(const toml::table& table, const std::string& origin, const std::string& context);
// The table written back: the declared keys, and those with a value.
toml::table write_desktop(const Desktop& desktop);

// Reads the [permissions] table; errors are Exit::BadInput "ORIGIN:LINE:COL: ...".
Permissions read_permissions(const toml::table& table, const std::string& origin);
// The table written back (only the declared keys), for write_manifest.
toml::table write_permissions(const Permissions& p);

}  // namespace appv
