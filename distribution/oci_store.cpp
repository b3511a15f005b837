#include "distribution/oci_store.h"

#include <fstream>

#include <fmt/format.h>

#include "distribution/oci_artifact.h"
#include "base/error.h"
#include "vfs/cache.h"
#include "base/fs_util.h"
#include "vfs/package.h"

namespace appv {
namespace {

std::string hex_of(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

std::string ref_record(const std::string& store, const OciReference& ref) {
  return fmt::format("{}/refs/{}/{}/{}", store, ref.registry, ref.repository, ref.tag);
}

// The package at `path` must be a package, and the one the manifest announced.
Package open_pulled(const std::string& path, const std::string& announced_id, const OciReference& ref) {
  try {
    Package p = Package::open(path);
    if (!announced_id.empty() && p.manifest().id != announced_id) {
      throw Error(Exit::BadInput, fmt::format("{} announces app '{}' but its package is '{}'", ref.str(), announced_id,
                                              p.manifest().id));
    }
    return p;
  } catch (const Error& e) {
    ::unlink(path.c_str());
    throw Error(Exit::BadInput, fmt::format("{}: {}", ref.str(), e.what()));
  }
}

}  // namespace

std::string user_oci_store() { return cache_dir() + "/oci"; }

PulledPackage pull_package(const OciReference& ref, const OciOptions& options, const std::string& store,
                           bool offline_fallback, const std::string& unless_digest) {
  OciClient client(ref, options);
  PulledPackage out;
  PackageManifest pm;
  try {
    OciClient::Manifest m = client.get_manifest(ref.reference());
    pm = parse_package_manifest(m.bytes, ref.str());
    out.manifest_digest = m.digest;
  } catch (const Error& e) {
    const std::string record = ref_record(store, ref);
    if (!offline_fallback || e.code() != Exit::Environment || !ref.digest.empty() || !path_exists(record)) throw;
    std::ifstream in(record);
    std::string manifest_digest, blob_digest;
    in >> manifest_digest >> blob_digest;
    std::string path = store + "/blobs/sha256/" + hex_of(blob_digest);
    if (blob_digest.empty() || !path_exists(path)) throw;
    options.reporter->warning(
        fmt::format("{}; running the copy of {} pulled earlier ({})", e.what(), ref.str(), manifest_digest));
    Package p = open_pulled(path, "", ref);
    return {path, manifest_digest, blob_digest, p.manifest().id, p.manifest().version,
            p.trailer().header_offset > 0, false, true, false};
  }
  if (!unless_digest.empty() && out.manifest_digest == unless_digest) {
    out.unchanged = true;
    return out;
  }
  out.blob_digest = pm.package_blob.digest;
  out.path = store + "/blobs/sha256/" + hex_of(out.blob_digest);
  if (!path_exists(out.path)) {
    std::string label = fmt::format("pulling {}", ref.str());
    client.fetch_blob(out.blob_digest, pm.package_blob.size, store + "/downloads/" + hex_of(out.blob_digest), out.path, label);
    out.downloaded = true;
  }
  Package p = open_pulled(out.path, pm.app_id, ref);
  out.app_id = p.manifest().id;
  out.version = p.manifest().version;
  out.self_executing = p.trailer().header_offset > 0;
  if (offline_fallback && ref.digest.empty()) {
    const std::string record = ref_record(store, ref);
    make_dirs(parent_dir(record), 0755);
    write_file_atomic(record, out.manifest_digest + " " + out.blob_digest + "\n", 0644);
  }
  return out;
}

}  // namespace appv
