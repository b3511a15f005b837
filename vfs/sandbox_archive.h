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
// a sandbox of `app_id`: other entry names, absolute or ".." paths, devices other than
// whiteouts, hard links, setuid bits; links where the sandbox needs directories
// (`upper` itself and `upper/<top>`, the upper directories of the view's top-level
// overlays), entries below a link, and relative links whose chain (through the
// archive's other links) climbs out of upper/ (absolute targets are the app's own
// paths, resolved in its view). Bounded like a package (README "Limits"): at most
// 2,000,000 entries and 64 GiB of declared file data, and past the first 16 MiB
// written, at most 1000 bytes written per byte of archive read (a compression bomb
// stops there). On error `staging` is removed and an Exit::BadInput error names the
// entry; the caller swaps `staging` in only on success.
ArchiveCount import_sandbox(const std::string& file, const std::string& app_id, const std::string& staging);

}  // namespace appv
