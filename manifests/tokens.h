// Per-user tokens in manifest paths and values: `~`, `$HOME`, `${XDG_CONFIG_HOME}`...
// They keep a package portable across users and machines: an isolation rule for
// "~/.mozilla" or an environment value "${XDG_DATA_HOME}/app" means the running user's.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace appv {

// Token name -> value. user_tokens() fills HOME and the XDG base directories with
// the XDG spec's defaults (a relative XDG_* value is ignored, as the spec says).
using Tokens = std::map<std::string, std::string, std::less<>>;

// HOME, USER, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME, XDG_STATE_HOME and
// XDG_RUNTIME_DIR (when set) from `environ`.
Tokens user_tokens();

// The names a manifest may use; APPV_ROOT and APPV_APP_ID only in [env] values.
bool is_path_token(std::string_view name);
bool is_env_token(std::string_view name);

// Replaces a leading "~" (alone or before '/'), "$NAME" and "${NAME}" with their values.
// "$$" is a literal '$'. Throws Exit::BadInput naming `what` for an unknown or unset
// token or a malformed "${".
std::string expand_tokens(std::string_view text, const Tokens& tokens, std::string_view what);

// Checks the token syntax and names without values (for validating a manifest).
// Returns "" if fine, else what is wrong.
std::string check_tokens(std::string_view text, bool (*allowed)(std::string_view));

}  // namespace appv
