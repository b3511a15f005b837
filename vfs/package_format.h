// The framing of a .appv file (README, "Package format"):
//
//   [runtime stub]  optional, any length
//   header          "APPVPKG\0", version, manifest size, file count, unpacked bytes,
//                   SHA-256 of the stub (zeros without one), manifest TOML
//   payload         tar + zstd; entries root/<virtual path> and .appv/manifest.toml
//   signatures      zero or more zstd skippable frames (vfs/signature.h)
//   trailer         128 bytes at the very end: a zstd skippable frame holding offsets,
//                   sizes, SHA-256 of header and payload, and a checksum of itself
//
// All integers are little-endian. The trailer sits at a fixed distance from the end so
// `appv info` reads it with one pread, then the header with a second: O(1), no scan.
// Pure encode/decode; decoding checks every field and throws Exit::BadInput.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vfs/sha256.h"

namespace appv {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kTrailerSize = 128;
inline constexpr size_t kHeaderFixedSize = 72;
inline constexpr uint64_t kMaxManifestSize = 1 << 20;
inline constexpr uint64_t kMaxSignatureRegion = 64 * 1024;

struct Header {
  uint64_t file_count = 0;
  uint64_t unpacked_bytes = 0;  // sum of regular file sizes in the payload
  // The runtime stub in front of the header is code the user runs: the header (and
  // through the trailer's header digest, a signature) covers it too.
  Digest stub_digest{};
  std::string manifest_text;
};

struct Trailer {
  uint64_t header_offset = 0;
  uint64_t header_size = 0;
  uint64_t payload_offset = 0;
  uint64_t payload_size = 0;
  Digest header_digest{};
  Digest payload_digest{};
};

std::vector<uint8_t> encode_header(const Header& header);
// `origin` names the file in error messages.
Header decode_header(std::span<const uint8_t> bytes, const std::string& origin);

std::vector<uint8_t> encode_trailer(const Trailer& trailer);
// `file_size` is the whole package file's size; offsets must fit inside it, in order.
Trailer decode_trailer(std::span<const uint8_t> bytes, uint64_t file_size, const std::string& origin);

}  // namespace appv
