// appv's one way to read TOML (manifests, policy.toml, apps.toml): toml++ parse errors
// and the readers' own complaints become Error(Exit::BadInput, "FILE:LINE:COL: message"),
// so that every TOML file appv reads points the user at the same kind of place.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace appv {

// Throws Error(Exit::BadInput, "ORIGIN:LINE:COL: MESSAGE") at the start of `where`.
[[noreturn]] void toml_fail(const std::string& origin, const toml::source_region& where, std::string_view message);

// Parses `text`; `origin` names it in errors (and in the nodes' source regions).
toml::table parse_toml(std::string_view text, const std::string& origin);

// Reads and parses the file at `path`; a file that cannot be read is reported like a
// parse error, as toml++ does ("PATH:0:0: File could not be opened for reading").
toml::table parse_toml_file(const std::string& path);

}  // namespace appv
