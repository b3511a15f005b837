// Registry credentials and challenges. Credentials come from --username and
// --password-stdin, or from the auth files docker and podman write
// (~/.docker/config.json, containers/auth.json): the "auth" field, base64 of
// "user:password". Challenges are the WWW-Authenticate headers of a 401 (RFC 7235):
// Basic, or Bearer with realm/service/scope for a token server.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/reporter.h"

namespace appv {

struct Credentials {
  std::string username, password;
  std::string source;  // where they came from, for messages: "--username", "/root/.docker/config.json"
};

// The auth files to read, first match wins: $REGISTRY_AUTH_FILE,
// $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json,
// $DOCKER_CONFIG/config.json or ~/.docker/config.json.
std::vector<std::string> default_auth_files();

// Credentials for REGISTRY/REPOSITORY from `files` (missing files are skipped; a
// malformed one is Exit::BadInput naming it). A key names a registry
// ("host:port", "https://host/v1/") or a repository prefix ("host/team"); the
// longest matching key wins, as in podman. Entries that only name a credential
// helper are a warning to `reporter`, since appv does not run helpers.
std::optional<Credentials> find_credentials(const std::vector<std::string>& files, const std::string& registry,
                                            const std::string& repository, Reporter& reporter);

struct Challenge {
  std::string scheme;                        // "basic" or "bearer", lower-case
  std::map<std::string, std::string> params;  // realm, service, scope, ... (names lower-case)
};

// Parses one WWW-Authenticate header value: scheme then comma-separated
// name=value / name="quoted value" parameters.
std::optional<Challenge> parse_challenge(const std::string& header);

// base64("user:password"), and back (Exit::BadInput if it is not that).
std::string basic_token(const Credentials& c);
Credentials decode_basic_token(const std::string& b64, const std::string& source);

}  // namespace appv
