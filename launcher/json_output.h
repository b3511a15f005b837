// The `--json` output of `appv info`, `ls`, `verify`, `list`, `sandbox list` and
// `tags`: pure builders from what the commands already read, so the shapes are
// unit-tested without a package or a registry. README.md ("Output for scripts")
// documents each shape; changing one is an interface change.
//
// Conventions: one object or one array per command; keys snake_case; sizes and
// offsets in bytes (integers); digests as "sha256:<hex>"; a value that is unknown or
// absent is null, never "".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "desktop/install.h"
#include "manifests/manifest.h"
#include "vfs/package_format.h"
#include "vfs/payload.h"
#include "vfs/signature.h"
#include "vfs/trust.h"

namespace appv::cli {

// "sha256:" + hex: the one spelling of a digest in JSON output.
std::string json_digest(const std::string& hex);

// `appv info --json`: identity, entry points, isolation rules, sizes, offsets, digests.
nlohmann::json info_json(const Manifest& manifest, const Header& header, const Trailer& trailer, uint64_t file_size,
                         const std::vector<Signature>& signatures);

// One element of `appv ls --json`: an entry under root/, at its virtual path.
nlohmann::json ls_entry_json(const PayloadEntry& entry);

// `appv verify --json`, after every digest and entry checked out (`entries` of them).
// `policy_refusal` is "" when the policy allows running the package.
nlohmann::json verify_json(const std::string& path, const Manifest& manifest, const std::string& payload_digest_hex,
                           uint64_t entries, const std::vector<SignatureCheck>& checks, const Policy& policy,
                           const std::string& policy_refusal);

// `appv list --json`: the installed packages.
nlohmann::json list_json(const std::vector<InstalledApp>& apps);

// One row of `appv sandbox list`: `pid` is set while the app runs.
struct SandboxRow {
  std::string app;
  std::optional<std::string> version;  // nullopt: the sandbox has no readable state
  uint64_t bytes = 0;                  // the upper layer's size
  std::optional<int> pid;               // the instance's init, running or idle
  bool idle = false;                     // the instance lingers with nothing of the app running
};
nlohmann::json sandbox_list_json(const std::vector<SandboxRow>& rows);

// `appv tags --json`: the repository's tags, in the registry's order.
nlohmann::json tags_json(const std::vector<std::string>& tags);

// Writes `value` to stdout, indented, with a final newline.
void print_json(const nlohmann::json& value);

}  // namespace appv::cli
