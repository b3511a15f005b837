// SHA-256 over a stream (libsodium), for package digests.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace appv {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  Digest finish();

 private:
  crypto_hash_sha256_state state_;
};

Digest sha256(const void* data, size_t size);
std::string to_hex(const Digest& digest);

}  // namespace appv
