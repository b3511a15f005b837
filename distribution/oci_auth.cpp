#include "distribution/oci_auth.h"

#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs_util.h"

namespace appv {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "https://host:port/v1/" -> "host:port"; "host/team/" -> "host/team".
std::string normalize_key(std::string key) {
  for (const char* scheme : {"https://", "http://"}) {
    if (key.rfind(scheme, 0) == 0) {
      key.erase(0, std::string(scheme).size());
      // A URL names the registry only (docker's "https://index.docker.io/v1/").
      key = key.substr(0, key.find('/'));
    }
  }
  while (!key.empty() && key.back() == '/') key.pop_back();
  return key;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_sys("cannot read auth file", path, errno, Exit::NoInput);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Exit::BadInput, fmt::format("auth file '{}' is not valid JSON: {}", path, e.what()));
  }
}

}  // namespace

std::vector<std::string> default_auth_files() {
  std::vector<std::string> files;
  if (!env("REGISTRY_AUTH_FILE").empty()) files.push_back(env("REGISTRY_AUTH_FILE"));
  if (!env("XDG_RUNTIME_DIR").empty()) files.push_back(env("XDG_RUNTIME_DIR") + "/containers/auth.json");
  const std::string home = env("HOME");
  if (!home.empty()) files.push_back(home + "/.config/containers/auth.json");
  if (!env("DOCKER_CONFIG").empty()) files.push_back(env("DOCKER_CONFIG") + "/config.json");
  else if (!home.empty()) files.push_back(home + "/.docker/config.json");
  return files;
}

std::optional<Credentials> find_credentials(const std::vector<std::string>& files, const std::string& registry,
                                            const std::string& repository, Reporter& reporter) {
  const std::string full = registry + "/" + repository;
  for (const std::string& file : files) {
    if (!path_exists(file)) continue;
    nlohmann::json doc = read_json(file);
    if (!doc.is_object()) throw Error(Exit::BadInput, fmt::format("auth file '{}' is not a JSON object", file));
    // Credential helpers (credHelpers, credsStore) run programs appv does not run.
    if (doc.contains("credHelpers") && doc["credHelpers"].is_object() && doc["credHelpers"].contains(registry)) {
      reporter.warning(fmt::format("'{}' names a credential helper for {}; appv does not run helpers "
                                   "(use --username and --password-stdin)", file, registry));
    }
    if (!doc.contains("auths")) continue;
    const nlohmann::json& auths = doc["auths"];
    if (!auths.is_object()) throw Error(Exit::BadInput, fmt::format("auth file '{}': \"auths\" is not an object", file));
    std::string best_key;
    const nlohmann::json* best = nullptr;
    for (auto it = auths.begin(); it != auths.end(); ++it) {
      std::string key = normalize_key(it.key());
      bool match = key == registry || (full.rfind(key + "/", 0) == 0 && key.find('/') != std::string::npos) || key == full;
      if (match && key.size() > best_key.size()) {
        best_key = key;
        best = &it.value();
      }
    }
    if (!best) continue;
    if (!best->is_object() || !best->contains("auth") || !(*best)["auth"].is_string() ||
        (*best)["auth"].get<std::string>().empty()) {
      // Docker writes an empty entry when a helper holds the secret.
      continue;
    }
    return decode_basic_token((*best)["auth"].get<std::string>(), file);
  }
  return std::nullopt;
}

std::optional<Challenge> parse_challenge(const std::string& header) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  skip_ws();
  size_t start = i;
  while (i < header.size() && header[i] != ' ' && header[i] != '\t') ++i;
  if (i == start) return std::nullopt;
  Challenge c;
  for (size_t k = start; k < i; ++k) c.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(header[k])));
  while (i < header.size()) {
    skip_ws();
    size_t name_start = i;
    while (i < header.size() && header[i] != '=' && header[i] != ',' && header[i] != ' ') ++i;
    std::string name;
    for (size_t k = name_start; k < i; ++k) name += static_cast<char>(std::tolower(static_cast<unsigned char>(header[k])));
    skip_ws();
    if (i >= header.size() || header[i] != '=') {
      if (i < header.size() && header[i] == ',') ++i;
      if (name.empty() && i < header.size() && header[i] != ',') return std::nullopt;
      continue;
    }
    ++i;
    skip_ws();
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      if (i >= header.size()) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      while (i < header.size() && header[i] != ',' && header[i] != ' ') value += header[i++];
    }
    if (!name.empty()) c.params[name] = value;
    skip_ws();
    if (i < header.size() && header[i] == ',') ++i;
  }
  return c;
}

std::string basic_token(const Credentials& c) {
  std::string plain = c.username + ":" + c.password;
  std::string out(sodium_base64_ENCODED_LEN(plain.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

Credentials decode_basic_token(const std::string& b64, const std::string& source) {
  std::string plain(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(plain.data()), plain.size(), b64.data(), b64.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    throw Error(Exit::BadInput, fmt::format("'{}': an \"auth\" value is not base64", source));
  }
  plain.resize(len);
  size_t colon = plain.find(':');
  if (colon == std::string::npos) throw Error(Exit::BadInput, fmt::format("'{}': an \"auth\" value is not user:password", source));
  return {plain.substr(0, colon), plain.substr(colon + 1), source};
}

}  // namespace appv
