// Package signatures: Ed25519 (libsodium) over the trailer's digests, stored in the
// package file itself as zstd skippable frames between the payload and the trailer.
// The header digest covers the stub, the manifest and the header's counts; the
// payload digest covers every entry: a signature binds all of it. Signing appends a
// frame without touching anything else, so the trailer (and every earlier signature)
// stays valid, and several signatures can coexist.
#pragma once

#include <fcntl.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vfs/package_format.h"

namespace appv {

using PublicKey = std::array<uint8_t, 32>;
using SignatureBytes = std::array<uint8_t, 64>;

struct Signature {
  PublicKey key{};
  SignatureBytes signature{};
  std::string signer;  // the name the signer gave; informational (trust goes by key)
};

// The key's fingerprint as `appv verify` prints it: "SHA256:" + hex of SHA-256(key).
std::string key_fingerprint(const PublicKey& key);

// One signature frame (zstd skippable frame, magic 0x184D2A51).
std::vector<uint8_t> encode_signature(const Signature& signature);
// The signatures region between payload and trailer: zero or more frames, nothing else.
// Throws Exit::BadInput naming `origin`.
std::vector<Signature> decode_signatures(std::span<const uint8_t> region, const std::string& origin);

// What is signed: a domain string, the signer's name, and the trailer's two digests.
std::vector<uint8_t> signed_message(const Trailer& trailer, const std::string& signer);

// True if `signature` is a valid Ed25519 signature by its key over `trailer`.
bool signature_valid(const Signature& signature, const Trailer& trailer);

// Keys on disk: PEM PKCS#8 private keys and PEM SubjectPublicKeyInfo public keys (RFC
// 8410), the formats `openssl genpkey -algorithm ed25519` and `openssl pkey` use.
// generate_key_pair writes both files new (never over anything there, a link
// included: Exit::CantCreate), the private one 0600 and the public one 0644, synced to
// disk; both or neither (a failure removes what it made). Errors: Exit::CantCreate or
// Exit::Io, naming the path. Returns the public key.
struct KeyFileSpot {
  int dir_fd = AT_FDCWD;  // AT_FDCWD: `name` is a path; else an open (not O_PATH) directory
  std::string name;   // resolved in dir_fd
  std::string path;   // names the file in messages
};
PublicKey generate_key_pair(const KeyFileSpot& private_key, const KeyFileSpot& public_key);
PublicKey generate_key_pair(const std::string& private_path, const std::string& public_path);
PublicKey load_public_key(const std::string& path);  // a .pub, or the public half of a .key
Signature sign_trailer(const std::string& private_key_path, const Trailer& trailer, const std::string& signer);

}  // namespace appv
