#include "vfs/signature.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/fatal_signal_cleanup.h"
#include "base/fs_util.h"
#include "vfs/sha256.h"

namespace appv {
namespace {

constexpr uint8_t kFrameMagic[4] = {0x51, 0x2A, 0x4D, 0x18};
constexpr char kSigMagic[8] = {'A', 'P', 'P', 'V', 'S', 'I', 'G', '\0'};
constexpr uint32_t kSigVersion = 1;
constexpr size_t kFixed = 8 + 4 + 4 + 32 + 64 + 2;  // magic, version, reserved, key, signature, name length
constexpr size_t kMaxSigner = 255;
constexpr char kDomain[] = "appv package signature v1";

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
  throw Error(Exit::BadInput, fmt::format("package '{}': {}", origin, what));
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t get_u32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

bool valid_signer(std::string_view s) {
  if (s.empty() || s.size() > kMaxSigner) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

void init_sodium() {
  if (::sodium_init() < 0) throw Error(Exit::Internal, "libsodium cannot be initialised");
}

// The DER forms of Ed25519 keys are fixed: a prefix and 32 bytes (RFC 8410). The
// private key holds the 32-byte seed, as `openssl genpkey -algorithm ed25519` writes it.
constexpr uint8_t kSpkiPrefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr uint8_t kPkcs8Prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                      0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

std::string to_pem(const char* label, const uint8_t* prefix, size_t prefix_size, const uint8_t* key) {
  std::vector<uint8_t> der(prefix, prefix + prefix_size);
  der.insert(der.end(), key, key + 32);
  std::string b64(sodium_base64_ENCODED_LEN(der.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), der.data(), der.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return fmt::format("-----BEGIN {0}-----\n{1}\n-----END {0}-----\n", label, b64);
}

// The 32 key bytes of a PEM file of `label` whose DER starts with `prefix`; nullopt if
// the file holds something else.
std::optional<std::array<uint8_t, 32>> from_pem(const std::string& text, const char* label, const uint8_t* prefix,
                                                size_t prefix_size) {
  const std::string begin = fmt::format("-----BEGIN {}-----", label), end = fmt::format("-----END {}-----", label);
  size_t a = text.find(begin);
  size_t b = a == std::string::npos ? a : text.find(end, a);
  if (b == std::string::npos) return std::nullopt;
  const std::string body = text.substr(a + begin.size(), b - a - begin.size());
  uint8_t der[128];
  size_t len = 0;
  if (sodium_base642bin(der, sizeof der, body.data(), body.size(), " \t\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != prefix_size + 32 || std::memcmp(der, prefix, prefix_size) != 0) {
    return std::nullopt;
  }
  std::array<uint8_t, 32> out{};
  std::memcpy(out.data(), der + prefix_size, 32);
  return out;
}

std::string read_key_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_sys("cannot read key", path, errno, Exit::NoInput);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 64 * 1024) {
    throw Error(Exit::BadInput, fmt::format("'{}' is not a key file", path));
  }
  std::vector<uint8_t> bytes = read_exact_at(fd.get(), 0, static_cast<uint64_t>(st.st_size), path);
  return std::string(bytes.begin(), bytes.end());
}

// The 64-byte libsodium secret key (seed and public key) of a private key file.
std::array<uint8_t, crypto_sign_SECRETKEYBYTES> load_secret_key(const std::string& path, PublicKey& public_key) {
  init_sodium();
  std::optional<std::array<uint8_t, 32>> seed = from_pem(read_key_file(path), "PRIVATE KEY", kPkcs8Prefix, sizeof kPkcs8Prefix);
  if (!seed) throw Error(Exit::BadInput, fmt::format("'{}' is not an Ed25519 private key in PEM (PKCS#8) form", path));
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(public_key.data(), sk.data(), seed->data());
  sodium_memzero(seed->data(), seed->size());
  return sk;
}

}  // namespace

std::string key_fingerprint(const PublicKey& key) { return "SHA256:" + to_hex(sha256(key.data(), key.size())); }

std::vector<uint8_t> encode_signature(const Signature& s) {
  if (!valid_signer(s.signer)) throw Error(Exit::Usage, fmt::format("signer name '{}' must be 1 to {} printable bytes", s.signer, kMaxSigner));
  std::vector<uint8_t> out(kFrameMagic, kFrameMagic + 4);
  put_u32(out, static_cast<uint32_t>(kFixed + s.signer.size()));
  out.insert(out.end(), kSigMagic, kSigMagic + 8);
  put_u32(out, kSigVersion);
  put_u32(out, 0);
  out.insert(out.end(), s.key.begin(), s.key.end());
  out.insert(out.end(), s.signature.begin(), s.signature.end());
  out.push_back(static_cast<uint8_t>(s.signer.size() & 0xff));
  out.push_back(static_cast<uint8_t>(s.signer.size() >> 8));
  out.insert(out.end(), s.signer.begin(), s.signer.end());
  return out;
}

std::vector<Signature> decode_signatures(std::span<const uint8_t> region, const std::string& origin) {
  std::vector<Signature> out;
  size_t at = 0;
  while (at < region.size()) {
    if (region.size() - at < 8 + kFixed) bad(origin, "truncated signature");
    const uint8_t* f = region.data() + at;
    if (std::memcmp(f, kFrameMagic, 4) != 0 || std::memcmp(f + 8, kSigMagic, 8) != 0) {
      bad(origin, "unexpected bytes between the payload and the trailer (not a signature)");
    }
    const uint32_t size = get_u32(f + 4);
    if (size < kFixed || size > region.size() - at - 8) bad(origin, "truncated signature");
    if (get_u32(f + 16) != kSigVersion) bad(origin, fmt::format("signature version {} is not supported", get_u32(f + 16)));
    Signature s;
    std::memcpy(s.key.data(), f + 24, 32);
    std::memcpy(s.signature.data(), f + 56, 64);
    const size_t name_len = f[120] | static_cast<size_t>(f[121]) << 8;
    if (name_len != size - kFixed) bad(origin, "signature has a bad signer length");
    s.signer.assign(reinterpret_cast<const char*>(f + 122), name_len);
    if (!valid_signer(s.signer)) bad(origin, "signature has an unprintable signer name");
    out.push_back(std::move(s));
    at += 8 + size;
  }
  return out;
}

std::vector<uint8_t> signed_message(const Trailer& t, const std::string& signer) {
  std::vector<uint8_t> m(kDomain, kDomain + sizeof kDomain);  // with its NUL
  m.push_back(static_cast<uint8_t>(signer.size()));
  m.insert(m.end(), signer.begin(), signer.end());
  m.insert(m.end(), t.header_digest.begin(), t.header_digest.end());
  m.insert(m.end(), t.payload_digest.begin(), t.payload_digest.end());
  return m;
}

bool signature_valid(const Signature& s, const Trailer& trailer) {
  init_sodium();
  const std::vector<uint8_t> msg = signed_message(trailer, s.signer);
  return crypto_sign_verify_detached(s.signature.data(), msg.data(), msg.size(), s.key.data()) == 0;
}

PublicKey generate_key_pair(const KeyFileSpot& private_key, const KeyFileSpot& public_key) {
  for (const KeyFileSpot* k : {&private_key, &public_key}) {
    struct stat st;
    if (::fstatat(k->dir_fd, k->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
      throw Error(Exit::CantCreate, fmt::format("'{}' already exists; not overwriting a key", k->path));
    }
  }
  init_sodium();
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  PublicKey pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  std::string private_pem = to_pem("PRIVATE KEY", kPkcs8Prefix, sizeof kPkcs8Prefix, seed.data());
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(sk.data(), sk.size());
  // Each file new (never over one that appeared since the check above, a planted link
  // included), and both or neither: both committed, then their directories synced, and
  // any failure on the way removes what was committed.
  AtomicFile private_file(private_key.dir_fd, private_key.name, private_key.path);
  write_all(private_file.fd(), private_pem.data(), private_pem.size(), private_file.temp_path());
  sodium_memzero(private_pem.data(), private_pem.size());
  AtomicFile public_file(public_key.dir_fd, public_key.name, public_key.path);
  const std::string public_pem = to_pem("PUBLIC KEY", kSpkiPrefix, sizeof kSpkiPrefix, pk.data());
  write_all(public_file.fd(), public_pem.data(), public_pem.size(), public_file.temp_path());
  // From here the pair is finished or undone, whatever signal comes (Ctrl-C after the
  // first rename would otherwise leave the private key alone).
  const FatalSignalsHeld held;
  private_file.commit_new(0600, Durability::Unsynced);
  bool public_committed = false;
  try {
    public_file.commit_new(0644, Durability::Unsynced);
    public_committed = true;
    private_file.sync_dir();
    if (public_key.dir_fd != private_key.dir_fd || parent_dir(public_key.path) != parent_dir(private_key.path)) {
      public_file.sync_dir();
    }
  } catch (...) {
    ::unlinkat(private_key.dir_fd, private_key.name.c_str(), 0);
    if (public_committed) ::unlinkat(public_key.dir_fd, public_key.name.c_str(), 0);
    throw;
  }
  return pk;
}

PublicKey generate_key_pair(const std::string& private_path, const std::string& public_path) {
  return generate_key_pair(KeyFileSpot{AT_FDCWD, private_path, private_path}, KeyFileSpot{AT_FDCWD, public_path, public_path});
}

PublicKey load_public_key(const std::string& path) {
  const std::string text = read_key_file(path);
  if (std::optional<std::array<uint8_t, 32>> pk = from_pem(text, "PUBLIC KEY", kSpkiPrefix, sizeof kSpkiPrefix)) return *pk;
  if (text.find("PRIVATE KEY") != std::string::npos) {  // a private key file also names its public half
    PublicKey pk{};
    std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk = load_secret_key(path, pk);
    sodium_memzero(sk.data(), sk.size());
    return pk;
  }
  throw Error(Exit::BadInput, fmt::format("'{}' is not an Ed25519 public key in PEM form", path));
}

Signature sign_trailer(const std::string& private_key_path, const Trailer& trailer, const std::string& signer) {
  if (!valid_signer(signer)) throw Error(Exit::Usage, fmt::format("signer name '{}' must be 1 to {} printable bytes", signer, kMaxSigner));
  Signature s;
  s.signer = signer;
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk = load_secret_key(private_key_path, s.key);
  const std::vector<uint8_t> msg = signed_message(trailer, signer);
  crypto_sign_detached(s.signature.data(), nullptr, msg.data(), msg.size(), sk.data());
  sodium_memzero(sk.data(), sk.size());
  return s;
}

}  // namespace appv
