#include "distribution/oci_artifact.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "distribution/oci_reference.h"
#include "base/error.h"
#include "vfs/sha256.h"

namespace appv {
namespace {

using nlohmann::json;

json descriptor(const Descriptor& d) { return {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}}; }

// Packages of a terabyte are not packages; the bound keeps a hostile manifest from
// asking for an absurd download.
constexpr uint64_t kMaxPackageBytes = uint64_t{1} << 40;

}  // namespace

PackageArtifact make_package_artifact(const Package& package, const std::string& package_digest, uint64_t package_size) {
  const Manifest& m = package.manifest();
  PackageArtifact a;
  json entries = json::array();
  for (const auto& [name, entry] : m.entries) entries.push_back(name);
  // nlohmann's objects are sorted maps: the same input always gives the same bytes.
  a.config = json{{"id", m.id}, {"name", m.name}, {"version", m.version}, {"entries", entries},
                  {"default_entry", m.default_entry}, {"payload_digest", "sha256:" + package.digest()}}.dump();
  a.config_blob = {kAppvConfigType, "sha256:" + to_hex(sha256(a.config.data(), a.config.size())), a.config.size()};
  a.package_blob = {kAppvLayerType, package_digest, package_size};
  json layer = descriptor(a.package_blob);
  layer["annotations"] = {{"org.opencontainers.image.title", m.id + ".appv"}};
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kOciManifestType},
      {"artifactType", kAppvArtifactType},
      {"config", descriptor(a.config_blob)},
      {"layers", json::array({layer})},
      {"annotations",
       {{kAnnotationAppId, m.id},
        {"io.appv.app.version", m.version},
        {"org.opencontainers.image.title", m.name.empty() ? m.id : m.name},
        {"org.opencontainers.image.version", m.version}}},
  };
  a.manifest = manifest.dump();
  return a;
}

namespace {

PackageManifest read_package_manifest(const std::string& bytes, const std::string& where) {
  json doc;
  try {
    doc = json::parse(bytes);
  } catch (const json::exception& e) {
    throw Error(Exit::BadInput, fmt::format("{}: the manifest is not JSON: {}", where, e.what()));
  }
  if (!doc.is_object()) throw Error(Exit::BadInput, fmt::format("{}: the manifest is not a JSON object", where));
  const std::string media = doc.value("mediaType", "");
  if (doc.contains("manifests")) {
    throw Error(Exit::BadInput, fmt::format("{} is an image index (several platforms), not an appv package", where));
  }
  const std::string artifact = doc.value("artifactType", "");
  const std::string config = doc.contains("config") && doc["config"].is_object() ? doc["config"].value("mediaType", "") : "";
  if (artifact != kAppvArtifactType && config != kAppvConfigType) {
    std::string what = !artifact.empty() ? "an artifact of type " + artifact
                       : config.find("image.config") != std::string::npos || config.find("container.image") != std::string::npos
                           ? std::string("a container image")
                           : "not an appv package (config " + (config.empty() ? std::string("missing") : config) + ")";
    throw Error(Exit::BadInput, fmt::format("{} is {}, not an appv package ({})", where, what, kAppvArtifactType));
  }
  if (doc.value("schemaVersion", 0) != 2 || (!media.empty() && media != kOciManifestType)) {
    throw Error(Exit::BadInput, fmt::format("{}: not an OCI image manifest (schemaVersion 2, {})", where, kOciManifestType));
  }
  if (!doc.contains("layers") || !doc["layers"].is_array()) throw Error(Exit::BadInput, fmt::format("{}: the manifest has no layers", where));
  PackageManifest out;
  int found = 0;
  for (const json& layer : doc["layers"]) {
    if (!layer.is_object() || layer.value("mediaType", "") != kAppvLayerType) continue;
    ++found;
    const json& size = layer.contains("size") ? layer["size"] : json();
    if (!size.is_number_unsigned() || size.get<uint64_t>() > kMaxPackageBytes || size.get<uint64_t>() == 0) {
      throw Error(Exit::BadInput, fmt::format("{}: the package layer's size is missing or out of range", where));
    }
    std::string digest = layer.value("digest", "");
    if (!is_sha256_digest(digest)) throw Error(Exit::BadInput, fmt::format("{}: the package layer's digest '{}' is not sha256:<hex>", where, digest));
    out.package_blob = {kAppvLayerType, digest, size.get<uint64_t>()};
  }
  if (found != 1) throw Error(Exit::BadInput, fmt::format("{}: expected one package layer ({}), found {}", where, kAppvLayerType, found));
  if (doc.contains("annotations") && doc["annotations"].is_object()) {
    const json& a = doc["annotations"];
    if (a.contains(kAnnotationAppId) && a[kAnnotationAppId].is_string()) out.app_id = a[kAnnotationAppId].get<std::string>();
    if (a.contains("io.appv.app.version") && a["io.appv.app.version"].is_string()) out.version = a["io.appv.app.version"].get<std::string>();
  }
  return out;
}

}  // namespace

PackageManifest parse_package_manifest(const std::string& bytes, const std::string& where) {
  try {
    return read_package_manifest(bytes, where);
  } catch (const json::exception& e) {
    // A field of the wrong JSON type ("mediaType": 5) is as malformed as bad JSON.
    throw Error(Exit::BadInput, fmt::format("{}: malformed manifest: {}", where, e.what()));
  }
}

}  // namespace appv
