// OCI references as docker, podman and skopeo write them: REGISTRY/REPOSITORY[:TAG][@DIGEST],
// optionally prefixed by oci://. appv names the registry explicitly (no implicit
// docker.io): packages live in an enterprise's own registry.
#pragma once

#include <string>
#include <string_view>

namespace appv {

struct OciReference {
  std::string registry;    // host[:port], as written ("localhost:5000", "registry.example.com")
  std::string repository;  // "tools/jq"
  std::string tag;         // "1.6"; "latest" when neither tag nor digest is written
  std::string digest;      // "sha256:<64 hex>" or empty

  // The manifest to ask the registry for: the digest when there is one, else the tag.
  const std::string& reference() const { return digest.empty() ? tag : digest; }
  // REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@DIGEST, as the user would write it.
  std::string str() const;
  // REGISTRY/REPOSITORY
  std::string repo_name() const { return registry + "/" + repository; }
};

// Parses `text` (with or without oci://); neither tag nor digest means :latest.
// Throws Exit::Usage naming what is wrong.
OciReference parse_oci_reference(std::string_view text);
OciReference parse_oci_repository(std::string_view text);  // REGISTRY/REPOSITORY only

// "sha256:" and 64 lower-case hex digits: the only digests appv accepts.
bool is_sha256_digest(std::string_view digest);

// True for "oci://..." (how `appv run` tells a reference from a file name). Inline:
// appv itself decides this without linking the distribution library.
inline bool is_oci_url(std::string_view text) { return text.rfind("oci://", 0) == 0; }

// localhost, 127.0.0.0/8 and ::1, with or without a port: the only hosts appv talks
// plain HTTP to without --insecure.
bool is_loopback_registry(std::string_view registry);

// The host name in "host:port" / "[v6]:port".
std::string registry_host(std::string_view registry);

}  // namespace appv
