// The registry's data: GSettings/dconf keys and their values, and the GLib keyfile
// text the `keyfile` GSettings backend reads and writes. Pure string work.
//
// A key is a dconf path, "/org/example/app/greeting". Its value is kept as GVariant
// text ("'hello'", "42", "true", "['a', 'b']"), the form `dconf write`, `gsettings set`
// and the keyfile backend use. In the keyfile the key lives in group "org/example/app"
// under the name "greeting".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace appv {

// Where GLib's keyfile GSettings backend reads system-wide defaults; a package with a
// [registry] table carries them there.
inline constexpr const char* kRegistryDefaultsPath = "/etc/glib-2.0/settings/defaults";
// The user's values, below $XDG_CONFIG_HOME.
inline constexpr const char* kRegistryUserFile = "glib-2.0/settings/keyfile";

// A manifest's [registry] value, as TOML typed it.
using RegistryValue = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;

// GVariant text for a value: strings quoted and escaped, lists as ['a', 'b'].
std::string gvariant_text(const RegistryValue& value);

// "/a/b/key": absolute, at least one group component, components of letters, digits,
// '-', '_' and '.'. Returns "" if valid, else why not.
std::string check_registry_key(std::string_view key);

// Key (dconf path) -> GVariant text, parsed from or formatted as a GLib keyfile.
using RegistryValues = std::map<std::string, std::string>;
// Lines that are neither "[group]", "key=value", blank nor comments are ignored, as
// GLib would refuse the whole file; values are kept verbatim.
RegistryValues parse_keyfile(std::string_view text);
std::string format_keyfile(const RegistryValues& values);

}  // namespace appv
