#include "vfs/sha256.h"

#include "manifests/error.h"

namespace appv {

Sha256::Sha256() {
  if (sodium_init() < 0) throw Error(Exit::Internal, "libsodium failed to initialise");
  crypto_hash_sha256_init(&state_);
}

void Sha256::update(const void* data, size_t size) {
  crypto_hash_sha256_update(&state_, static_cast<const unsigned char*>(data), size);
}

Digest Sha256::finish() {
  Digest out;
  crypto_hash_sha256_final(&state_, out.data());
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
