// Builds package files byte by byte, including hostile ones no appv would write:
// tar headers are written by hand, so a test controls every field (names with "..",
// absolute paths, lying sizes, device nodes, setuid bits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace appv::test {

struct RawEntry {
  std::string path;
  char type = '0';  // ustar typeflag: '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' FIFO
  unsigned mode = 0644;
  std::string data;
  std::string link;            // symlink target or hard link name
  int64_t declared_size = -1;  // size field; -1 means data.size()
};

inline const char* kTestManifest =
    "id = \"org.example.test\"\nversion = \"1\"\n[entry.probe]\npath = \"/usr/bin/probe\"\n";

// The entries every sound package starts with: .appv/, the manifest, root/.
std::vector<RawEntry> base_entries(const std::string& manifest = kTestManifest);

// tar bytes (ustar, pax headers for long names, 512-byte blocks, two zero blocks at
// the end).
std::string make_tar(const std::vector<RawEntry>& entries);
// One entry's header and data blocks, nothing else.
std::string make_tar_header_only(const RawEntry& entry);
std::string zstd_compress(const std::string& data);

// A framed package: header (with `header_manifest` and the given counts), the
// compressed `tar`, trailer with correct digests. Returns the bytes.
std::string frame_package(const std::string& compressed_payload, const std::string& header_manifest = kTestManifest,
                          uint64_t file_count = 1000, uint64_t unpacked_bytes = 1 << 20);
// What an honest header declares for `entries`: the sum of the regular files' sizes.
uint64_t declared_bytes(const std::vector<RawEntry>& entries);

void write_package_file(const std::string& path, const std::vector<RawEntry>& entries,
                        const std::string& manifest = kTestManifest);

}  // namespace appv::test
