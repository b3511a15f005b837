// `appv sandbox export` and `import`: a sandbox as a tar+zstd file, to move a user's
// state to another machine or keep a copy. The archive holds `.appv-sandbox` (the app
// id), `state`, and `upper/` with overlay whiteouts as character devices 0:0 and
// opaque directories as the xattr user.overlay.opaque, whichever namespace (trusted.*
// as root, user.* otherwise) the exporting user's overlays used.
#pragma once

#include <cstdint>
#include <string>

namespace appv {

struct ArchiveCount {
  uint64_t entries = 0;
  uint64_t bytes = 0;
};

// Writes `file` atomically (temporary file, then rename).
ArchiveCount export_sandbox(const std::string& sandbox, const std::string& app_id, const std::string& file);

// Extracts `file` into `staging` (which must not exist), refusing anything that is not
// a sandbox of `app_id`: other entry names, absolute or ".." paths, links through
// which a write could escape, devices other than whiteouts, hard links, setuid bits.
// On error `staging` is removed and an Exit::BadInput error names the entry.
ArchiveCount import_sandbox(const std::string& file, const std::string& app_id, const std::string& staging);

}  // namespace appv
