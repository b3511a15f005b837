// Packages pulled from OCI registries, stored by digest:
//   <store>/blobs/sha256/<hex>   complete, verified package files (what runs)
//   <store>/downloads/<hex>      an interrupted download, resumed by the next pull;
//                                never run, never a package until verified
//   <store>/refs/<registry>/<repository>/<tag>   the digests a tag last resolved to,
//                                so a cached app still starts when the registry is down
//                                (kept only by pulls that may fall back to it)
#pragma once

#include <string>

#include "distribution/oci_client.h"
#include "distribution/oci_reference.h"

namespace appv {

// $XDG_CACHE_HOME/appv/oci: the store of `appv pull` and `appv run oci://`.
std::string user_oci_store();

struct PulledPackage {
  std::string path;             // <store>/blobs/sha256/<hex>
  std::string manifest_digest;  // what REF resolved to
  std::string blob_digest;
  std::string app_id, version;  // from the package itself
  bool self_executing = false;  // it carries the runtime stub
  bool downloaded = false;      // false: it was in the store already
  bool offline = false;         // the registry was unreachable; the tag's last resolution was used
  bool unchanged = false;       // REF still resolves to `unless_digest`: nothing was fetched, `path` is empty
};

// Resolves `ref`, downloads its package into `store` unless present, and checks it:
// the registry's digests, then that the bytes are an appv package whose app id is the
// one the manifest announces. With `offline_fallback`, an unreachable registry falls
// back to what the tag last resolved to in this store (a warning to options.reporter). When REF
// resolves to the manifest digest `unless_digest`, nothing is fetched.
PulledPackage pull_package(const OciReference& ref, const OciOptions& options, const std::string& store,
                           bool offline_fallback, const std::string& unless_digest = "");

}  // namespace appv
