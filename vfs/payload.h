// Reading a package's payload: listing, verifying and extracting it, with every entry
// checked against invariant 1 (DESIGN.md) before anything is written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/reporter.h"
#include "vfs/package.h"

namespace appv {

struct PayloadEntry {
  enum class Type { File, Dir, Symlink, Hardlink };
  std::string path;  // archive path, normalised ("root/usr/bin/jq")
  Type type = Type::File;
  uint32_t mode = 0;
  uint64_t size = 0;
  std::string link;  // Symlink: target; Hardlink: the archive path it links to
};

// Bounds on what a payload may expand to. The defaults are documented in the README
// ("Limits"); a package beyond them is refused as a decompression bomb.
struct PayloadLimits {
  uint64_t max_entries = 2'000'000;
  uint64_t max_entry_bytes = 16ull << 30;
  uint64_t max_total_bytes = 64ull << 30;
};

// Reads every entry, checking names, types, modes, link targets and sizes, then the
// payload digest. Calls `each` per entry. Throws Exit::BadInput on the first problem.
void scan_payload(const Package& package, const std::function<void(const PayloadEntry&)>& each,
                  const PayloadLimits& limits = {});

// The whole check of `appv verify` and `appv sync` before use: the runtime stub's
// digest, every entry (scan_payload), the payload digest, and the header's entry
// count. Returns the number of entries; throws Exit::BadInput.
uint64_t verify_package(const Package& package);

// Extracts into `dir`, which must exist and be empty. Never writes outside `dir`,
// never through a symlink, never a device node or a setuid bit, never an owner from
// the archive. On failure `dir` may hold a partial tree: callers extract into a
// temporary directory and remove it (cache.h, extract_to()). Reports progress as
// "extracting APP-ID": files and bytes of the header's totals.
void extract_payload(const Package& package, const std::string& dir, const PayloadLimits& limits = {},
                     Reporter& reporter = silent_reporter());

// `appv extract`: extracts into `dest`, which must not exist yet (or be an empty
// directory); goes through a temporary sibling renamed into place, so it either
// appears complete or not at all.
void extract_to(const Package& package, const std::string& dest, const PayloadLimits& limits = {},
                Reporter& reporter = silent_reporter());

// The rule used for each entry, exposed for tests. Returns the reason a path or link
// target is unsafe, or an empty string.
std::string unsafe_path_reason(const std::string& path);
std::string unsafe_symlink_reason(const std::string& link_path, const std::string& target);

}  // namespace appv
