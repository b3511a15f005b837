// libFuzzer target: a whole package file's bytes through the trailer, signature,
// header and manifest decoders, as Package::open reads them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/error.h"
#include "manifests/manifest.h"
#include "vfs/package_format.h"
#include "vfs/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace appv;
  if (size < kTrailerSize) return 0;
  try {
    std::span<const uint8_t> file(data, size);
    Trailer t = decode_trailer(file.subspan(size - kTrailerSize), size, "fuzz");
    const uint64_t sig_start = t.payload_offset + t.payload_size;
    for (const Signature& s : decode_signatures(file.subspan(sig_start, size - kTrailerSize - sig_start), "fuzz")) {
      signature_valid(s, t);
    }
    std::span<const uint8_t> header = file.subspan(t.header_offset, t.header_size);
    if (sha256(header.data(), header.size()) != t.header_digest) return 0;
    Header h = decode_header(header, "fuzz");
    parse_manifest(h.manifest_text, "fuzz");
  } catch (const Error&) {
  }
  return 0;
}
