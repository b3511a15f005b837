#include "vfs/sha256.h"

// OpenSSL 3 deprecates the one-algorithm SHA256_* calls in favour of EVP. They are
// kept on purpose: EVP drags OpenSSL's provider machinery (about 3.5 MB) into the
// static runtime stub, the direct calls add a few kB, with the same SHA-NI code.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace appv {

Sha256::Sha256() { SHA256_Init(&state_); }

void Sha256::update(const void* data, size_t size) { SHA256_Update(&state_, data, size); }

Digest Sha256::finish() {
  Digest out;
  SHA256_Final(out.data(), &state_);
  return out;
}

Digest sha256(const void* data, size_t size) {
  Sha256 h;
  h.update(data, size);
  return h.finish();
}

std::string to_hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace appv
