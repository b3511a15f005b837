// SHA-256 over a stream, for package digests. OpenSSL's implementation uses the
// CPU's SHA extensions where present (about 1.7 GB/s here, four times a portable
// one), and hashing runs on the write path of every pack and extraction.
#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string>

namespace appv {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  Digest finish();

 private:
  SHA256_CTX state_;
};

Digest sha256(const void* data, size_t size);
std::string to_hex(const Digest& digest);

}  // namespace appv
