#include "tests/unit/support/package_builder.h"

#include <zstd.h>

#include <cstring>
#include <stdexcept>

#include "tests/unit/support/temp_dir.h"
#include "vfs/package_format.h"

namespace appv::test {
namespace {

void octal(char* field, size_t width, uint64_t value) {
  if (width > 8 && value >> (3 * (width - 1))) {
    // Too large for octal digits: GNU base-256, as tar writes sizes beyond 8 GiB.
    std::memset(field, 0, width);
    field[0] = static_cast<char>(0x80);
    for (size_t i = width; i-- > 1 && value; value >>= 8) field[i] = static_cast<char>(value & 0xff);
    return;
  }
  // width-1 octal digits and a NUL, as ustar wants.
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value;) {
    digits[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

}  // namespace

std::vector<RawEntry> base_entries(const std::string& manifest) {
  return {{".appv/", '5', 0755, {}, {}, -1}, {".appv/manifest.toml", '0', 0644, manifest, {}, -1}, {"root/", '5', 0755, {}, {}, -1}};
}

namespace {

// One pax record: "<length> <key>=<value>\n", the length counting itself.
std::string pax_record(const std::string& key, const std::string& value) {
  std::string body = " " + key + "=" + value + "\n";
  size_t len = body.size() + 1;
  while (std::to_string(len).size() + body.size() != len) ++len;
  return std::to_string(len) + body;
}

}  // namespace

std::string make_tar(const std::vector<RawEntry>& entries) {
  std::string out;
  for (const RawEntry& original : entries) {
    RawEntry e = original;
    // Names beyond ustar's 100 bytes travel in a pax extended header, as libarchive
    // and GNU tar write them.
    std::string pax;
    if (e.path.size() > 100) pax += pax_record("path", e.path);
    if (e.link.size() > 100) pax += pax_record("linkpath", e.link);
    // A hard link with data: ustar readers skip it, pax's "size" makes them read it.
    if (e.type == '1' && !e.data.empty()) pax += pax_record("size", std::to_string(e.data.size()));
    if (!pax.empty()) {
      out += make_tar_header_only({"PaxHeader", 'x', 0644, pax, {}, -1});
      e.path = e.path.substr(0, 100);
      e.link = e.link.substr(0, 100);
    }
    out += make_tar_header_only(e);
  }
  out.append(1024, '\0');
  return out;
}

std::string make_tar_header_only(const RawEntry& e) {
  std::string out;
  {
    char h[512] = {};
    std::memcpy(h, e.path.data(), e.path.size());
    octal(h + 100, 8, e.mode);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    uint64_t size = e.declared_size >= 0 ? static_cast<uint64_t>(e.declared_size) : e.data.size();
    octal(h + 124, 12, size);
    octal(h + 136, 12, 0);
    h[156] = e.type;
    std::memcpy(h + 157, e.link.data(), e.link.size());
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    octal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(h, 512);
    out += e.data;
    out.append((512 - e.data.size() % 512) % 512, '\0');
  }
  return out;
}

std::string zstd_compress(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd failed");
  out.resize(n);
  return out;
}

std::string frame_package(const std::string& payload, const std::string& header_manifest, uint64_t file_count,
                          uint64_t unpacked_bytes) {
  Header header;
  header.manifest_text = header_manifest;
  header.file_count = file_count;
  header.unpacked_bytes = unpacked_bytes;
  std::vector<uint8_t> h = encode_header(header);
  Trailer t;
  t.header_offset = 0;
  t.header_size = h.size();
  t.header_digest = sha256(h.data(), h.size());
  t.payload_offset = h.size();
  t.payload_size = payload.size();
  t.payload_digest = sha256(payload.data(), payload.size());
  std::vector<uint8_t> tail = encode_trailer(t);
  return std::string(h.begin(), h.end()) + payload + std::string(tail.begin(), tail.end());
}

uint64_t declared_bytes(const std::vector<RawEntry>& entries) {
  uint64_t total = 0;
  for (const RawEntry& e : entries) {
    if (e.type == '0') total += e.declared_size >= 0 ? static_cast<uint64_t>(e.declared_size) : e.data.size();
  }
  return total;
}

void write_package_file(const std::string& path, const std::vector<RawEntry>& entries, const std::string& manifest) {
  write_file(path, frame_package(zstd_compress(make_tar(entries)), manifest, entries.size(), declared_bytes(entries)));
}

}  // namespace appv::test
