// An appv package as an OCI artifact: an image manifest whose artifactType is
// appv's, with the package file as its one layer and the package's identity as
// annotations, so registries store it and skopeo or oras can inspect and copy it.
// The config blob is a small JSON of the identity (tools that predate artifactType
// read the artifact's type from the config's media type).
#pragma once

#include <cstdint>
#include <string>

#include "vfs/package.h"

namespace appv {

inline constexpr const char* kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kAppvArtifactType = "application/vnd.appv.package.v1";
inline constexpr const char* kAppvConfigType = "application/vnd.appv.config.v1+json";
inline constexpr const char* kAppvLayerType = "application/vnd.appv.package.v1";
inline constexpr const char* kAnnotationAppId = "io.appv.app.id";

struct Descriptor {
  std::string media_type;
  std::string digest;  // sha256:<hex>
  uint64_t size = 0;
};

struct PackageArtifact {
  std::string config;    // bytes of the config blob
  std::string manifest;  // bytes of the image manifest
  Descriptor config_blob, package_blob;
};

// The artifact for `package`, whose file has `package_digest` and `package_size`.
// Deterministic: the same package always gives the same manifest digest.
PackageArtifact make_package_artifact(const Package& package, const std::string& package_digest, uint64_t package_size);

struct PackageManifest {
  Descriptor package_blob;
  std::string app_id, version;  // from the annotations; may be empty for foreign manifests
};

// Reads an image manifest that should describe an appv package. Exit::BadInput
// naming `where` if it is an image index, a container image, or malformed.
PackageManifest parse_package_manifest(const std::string& bytes, const std::string& where);

}  // namespace appv
