#include "vfs/package_format.h"

#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

constexpr char kHeaderMagic[8] = {'A', 'P', 'P', 'V', 'P', 'K', 'G', '\0'};
constexpr char kTrailerMagic[8] = {'A', 'P', 'P', 'V', 'T', 'R', 'L', '\0'};
// The trailer is a zstd skippable frame (magic 0x184D2A50, then its length), so
// `tail -c +OFFSET pkg | zstd -d | tar t` reads the payload and skips the trailer.
constexpr uint8_t kSkippableFrame[8] = {0x50, 0x2A, 0x4D, 0x18, kTrailerSize - 8, 0, 0, 0};
constexpr size_t kTrailerCheckOffset = 120;  // 8 bytes of SHA-256 over bytes [0, 120)

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

[[noreturn]] void bad(const std::string& origin, std::string_view what) {
  throw Error(Exit::BadInput, fmt::format("package '{}': {}", origin, what));
}

}  // namespace

std::vector<uint8_t> encode_header(const Header& h) {
  std::vector<uint8_t> out;
  out.reserve(kHeaderFixedSize + h.manifest_text.size());
  for (char c : kHeaderMagic) out.push_back(static_cast<uint8_t>(c));
  put_u32(out, kFormatVersion);
  put_u32(out, 0);  // flags, none defined yet
  put_u64(out, h.manifest_text.size());
  put_u64(out, h.file_count);
  put_u64(out, h.unpacked_bytes);
  for (uint8_t b : h.stub_digest) out.push_back(b);
  out.insert(out.end(), h.manifest_text.begin(), h.manifest_text.end());
  return out;
}

Header decode_header(std::span<const uint8_t> b, const std::string& origin) {
  if (b.size() < kHeaderFixedSize) bad(origin, "header is truncated");
  if (std::memcmp(b.data(), kHeaderMagic, 8) != 0) bad(origin, "header has a bad magic number");
  uint32_t version = get_u32(b.data() + 8);
  if (version != kFormatVersion) {
    bad(origin, fmt::format("format version {} is not supported (this appv reads version {})", version, kFormatVersion));
  }
  if (get_u32(b.data() + 12) != 0) bad(origin, "header has unknown flags");
  uint64_t manifest_size = get_u64(b.data() + 16);
  if (manifest_size > kMaxManifestSize || manifest_size != b.size() - kHeaderFixedSize) {
    bad(origin, "header's manifest size does not match the header");
  }
  Header h;
  h.file_count = get_u64(b.data() + 24);
  h.unpacked_bytes = get_u64(b.data() + 32);
  std::memcpy(h.stub_digest.data(), b.data() + 40, 32);
  h.manifest_text.assign(reinterpret_cast<const char*>(b.data()) + kHeaderFixedSize, manifest_size);
  return h;
}

std::vector<uint8_t> encode_trailer(const Trailer& t) {
  std::vector<uint8_t> out;
  out.reserve(kTrailerSize);
  for (uint8_t b : kSkippableFrame) out.push_back(b);
  for (char c : kTrailerMagic) out.push_back(static_cast<uint8_t>(c));
  put_u32(out, kFormatVersion);
  put_u32(out, kTrailerSize);
  put_u64(out, t.header_offset);
  put_u64(out, t.header_size);
  put_u64(out, t.payload_offset);
  put_u64(out, t.payload_size);
  for (uint8_t b : t.header_digest) out.push_back(b);
  for (uint8_t b : t.payload_digest) out.push_back(b);
  Digest check = sha256(out.data(), out.size());
  for (size_t i = 0; i < 8; ++i) out.push_back(check[i]);
  return out;
}

Trailer decode_trailer(std::span<const uint8_t> b, uint64_t file_size, const std::string& origin) {
  if (b.size() != kTrailerSize || file_size < kTrailerSize) bad(origin, "file is too small to be an appv package");
  if (std::memcmp(b.data(), kSkippableFrame, 8) != 0 || std::memcmp(b.data() + 8, kTrailerMagic, 8) != 0) {
    bad(origin, "not an appv package (no trailer at the end of the file; truncated or not a package)");
  }
  Digest check = sha256(b.data(), kTrailerCheckOffset);
  if (std::memcmp(check.data(), b.data() + kTrailerCheckOffset, 8) != 0) bad(origin, "trailer is corrupt (checksum mismatch)");
  const uint8_t* f = b.data() + 16;  // fields after the frame header and the magic
  uint32_t version = get_u32(f);
  if (version != kFormatVersion) {
    bad(origin, fmt::format("format version {} is not supported (this appv reads version {})", version, kFormatVersion));
  }
  if (get_u32(f + 4) != kTrailerSize) bad(origin, "trailer has a bad size field");
  Trailer t;
  t.header_offset = get_u64(f + 8);
  t.header_size = get_u64(f + 16);
  t.payload_offset = get_u64(f + 24);
  t.payload_size = get_u64(f + 32);
  std::memcpy(t.header_digest.data(), f + 40, 32);
  std::memcpy(t.payload_digest.data(), f + 72, 32);

  // The sections must tile the file exactly: header, payload, signatures (at most
  // kMaxSignatureRegion bytes; checked by decode_signatures), trailer. Each sum is
  // checked against the previous bound first so no addition can overflow.
  const uint64_t trailer_offset = file_size - kTrailerSize;
  if (t.header_size < kHeaderFixedSize || t.header_size > kHeaderFixedSize + kMaxManifestSize ||
      t.header_offset > trailer_offset || t.header_size > trailer_offset - t.header_offset ||
      t.payload_offset != t.header_offset + t.header_size || t.payload_size > trailer_offset - t.payload_offset ||
      trailer_offset - t.payload_offset - t.payload_size > kMaxSignatureRegion) {
    bad(origin, "trailer's offsets do not match the file (truncated or corrupt)");
  }
  return t;
}

}  // namespace appv
