#include <catch2/catch.hpp>

#include <filesystem>

#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/package.h"
#include "vfs/signature.h"
#include "vfs/trust.h"

using namespace appv;
using appv::test::TempDir;

namespace {

std::string sound_package(const TempDir& t, const std::string& name) {
  auto entries = test::base_entries();
  const std::string path = t / name;
  test::write_file(path, test::frame_package(test::zstd_compress(test::make_tar(entries)), test::kTestManifest,
                                             entries.size(), test::declared_bytes(entries)));
  return path;
}

std::string keypair(const TempDir& t, const std::string& name) {
  generate_key_pair(t / (name + ".key"), t / (name + ".pub"));
  return t / (name + ".key");
}

SignatureCheck check(bool valid, const std::string& trusted_name) {
  SignatureCheck c;
  c.valid = valid;
  if (!trusted_name.empty()) c.trusted = TrustedKey{trusted_name, "/etc/appv/trusted-keys/" + trusted_name + ".pub", {}, KeyStore::System};
  return c;
}

}  // namespace

TEST_CASE("signatures are added to a package without changing anything else, several of them") {
  TempDir t;
  const std::string pkg = sound_package(t, "p.appv");
  const std::string before = test::read_file(pkg);
  add_signature(Package::open(pkg), sign_trailer(keypair(t, "release"), Package::open(pkg).trailer(), "release"));
  add_signature(Package::open(pkg), sign_trailer(keypair(t, "qa"), Package::open(pkg).trailer(), "qa team"));
  Package p = Package::open(pkg);
  REQUIRE(p.signatures().size() == 2);
  CHECK(p.signatures()[0].signer == "release");
  CHECK(p.signatures()[1].signer == "qa team");
  CHECK(signature_valid(p.signatures()[0], p.trailer()));
  CHECK(signature_valid(p.signatures()[1], p.trailer()));
  CHECK(p.signatures()[0].key == load_public_key(t / "release.pub"));
  CHECK(load_public_key(t / "release.key") == load_public_key(t / "release.pub"));
  const std::string after = test::read_file(pkg);
  CHECK(after.substr(0, p.signatures_offset()) == before.substr(0, p.signatures_offset()));  // header, payload
  CHECK(after.substr(after.size() - kTrailerSize) == before.substr(before.size() - kTrailerSize));  // trailer
  CHECK(test::list_tree(t.path()) == std::vector<std::string>{"p.appv", "qa.key", "qa.pub", "release.key", "release.pub"});
}

TEST_CASE("a signature covers both digests and the signer's name") {
  TempDir t;
  Package p = Package::open(sound_package(t, "p.appv"));
  Signature s = sign_trailer(keypair(t, "k"), p.trailer(), "k");
  CHECK(signature_valid(s, p.trailer()));
  Trailer other = p.trailer();
  other.payload_digest[0] ^= 1;
  CHECK_FALSE(signature_valid(s, other));
  other = p.trailer();
  other.header_digest[31] ^= 0x80;
  CHECK_FALSE(signature_valid(s, other));
  Signature renamed = s;
  renamed.signer = "release";
  CHECK_FALSE(signature_valid(renamed, p.trailer()));
  Signature flipped = s;
  flipped.signature[10] ^= 4;
  CHECK_FALSE(signature_valid(flipped, p.trailer()));
}

TEST_CASE("the signatures region accepts signature frames only") {
  TempDir t;
  Package p = Package::open(sound_package(t, "p.appv"));
  Signature s = sign_trailer(keypair(t, "k"), p.trailer(), "k");
  std::vector<uint8_t> frame = encode_signature(s);
  CHECK(decode_signatures(frame, "x").size() == 1);
  std::vector<uint8_t> truncated(frame.begin(), frame.end() - 3);
  CHECK_REFUSED(decode_signatures(truncated, "x"), Exit::BadInput, "package 'x': truncated signature");
  std::vector<uint8_t> junk = frame;
  junk[9] = 'X';  // the signature magic
  CHECK_REFUSED(decode_signatures(junk, "x"), Exit::BadInput, "package 'x': ");
  std::vector<uint8_t> long_name = frame;
  long_name[120] = 200;  // signer length beyond the frame
  CHECK_REFUSED(decode_signatures(long_name, "x"), Exit::BadInput, "package 'x': ");
  // Bytes spliced in before the trailer of a real file: refused on open.
  std::string bytes = test::read_file(t / "p.appv");
  bytes.insert(bytes.size() - kTrailerSize, "garbage!");
  test::write_file(t / "q.appv", bytes);
  CHECK_REFUSED(Package::open(t / "q.appv"), Exit::BadInput, "q.appv");
  CHECK_REFUSED(generate_key_pair(t / "k.key", t / "other.pub"), Exit::CantCreate, "already exists; not overwriting a key");  // never overwrites a key
}

TEST_CASE("the trust store reads *.pub files and refuses a malformed one") {
  TempDir t;
  keypair(t, "release");
  test::write_file(t / "notes.txt", "not a key");
  std::vector<TrustedKey> store = load_trust_store({t.path(), t / "absent"});
  REQUIRE(store.size() == 1);
  CHECK(store[0].name == "release");
  test::write_file(t / "broken.pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  CHECK_REFUSED(load_trust_store({t.path()}), Exit::BadInput, "broken.pub' is not an Ed25519 public key in PEM form");
}

TEST_CASE("policy: required signatures, allowed keys and groups, per app id") {
  TempDir t;
  test::write_file(t / "policy.toml", R"(
require_signature = false
[[rule]]
apps = "com.corp.*"
require_signature = true
keys = ["release"]
[[rule]]
apps = "com.corp.payroll"
groups = ["finance"]
)");
  Policy p = load_policy(t / "policy.toml");
  const std::vector<SignatureCheck> none;
  CHECK(policy_refusal(p, "org.other", none, {}).empty());
  CHECK_THAT(policy_refusal(p, "com.corp.tool", none, {}), Catch::Contains("to be signed by a key of /etc/appv/trusted-keys"));
  CHECK_THAT(policy_refusal(p, "com.corp.tool", {check(true, "")}, {}), Catch::Contains("to be signed"));
  CHECK_THAT(policy_refusal(p, "com.corp.tool", {check(true, "qa")}, {}), Catch::Contains("allows only release"));
  CHECK(policy_refusal(p, "com.corp.tool", {check(true, "release")}, {}).empty());
  using Groups = std::vector<std::string>;
  CHECK_THAT(policy_refusal(p, "com.corp.payroll", {check(true, "release")}, Groups{"staff"}), Catch::Contains("finance"));
  CHECK(policy_refusal(p, "com.corp.payroll", {check(true, "release")}, Groups{"staff", "finance"}).empty());
  // Installing for others (appv sync) leaves the groups rules to whoever runs the app.
  CHECK(policy_refusal(p, "com.corp.payroll", {check(true, "release")}, std::nullopt).empty());
  p.require_signature = true;
  CHECK_THAT(policy_refusal(p, "org.other", {check(false, "release")}, {}), Catch::Contains("requires a signature"));
  CHECK(load_policy(t / "absent.toml").origin.empty());
  test::write_file(t / "bad.toml", "require_signature = \"yes\"\n");
  CHECK_REFUSED(load_policy(t / "bad.toml"), Exit::BadInput, "bad.toml");
  test::write_file(t / "bad.toml", "[[rule]]\nkeys = [\"x\"]\n");
  CHECK_THROWS_WITH(load_policy(t / "bad.toml"), Catch::Contains("needs 'apps'"));
  test::write_file(t / "bad.toml", "[[rule]]\napps = \"x\"\nrequire = true\n");
  CHECK_THROWS_WITH(load_policy(t / "bad.toml"), Catch::Contains(":3:1: unknown key 'rule.require'"));
}

TEST_CASE("policy keys are the system store's: a user's key of the same name does not stand in") {
  TempDir t;
  std::filesystem::create_directories(t / "system");
  std::filesystem::create_directories(t / "user");
  std::filesystem::create_directories(t / "keys");
  const std::string pkg = sound_package(t, "p.appv");
  generate_key_pair(t / "keys/admin.key", t / "system/release.pub");
  generate_key_pair(t / "keys/mine.key", t / "user/release.pub");  // the user's own "release"
  const std::vector<TrustedKey> store = load_trust_store({t / "system", t / "user"});
  REQUIRE(store.size() == 2);
  CHECK(store[0].store == KeyStore::System);
  CHECK(store[1].store == KeyStore::User);
  test::write_file(t / "policy.toml", "[[rule]]\napps = \"*\"\nkeys = [\"release\"]\n");
  const Policy by_name = load_policy(t / "policy.toml");
  Policy required;
  required.require_signature = true;

  add_signature(Package::open(pkg), sign_trailer(t / "keys/mine.key", Package::open(pkg).trailer(), "release"));
  std::vector<SignatureCheck> mine = check_signatures(Package::open(pkg), store);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].valid);
  REQUIRE(mine[0].trusted);
  CHECK(mine[0].trusted->store == KeyStore::User);
  CHECK_THAT(policy_refusal(by_name, "org.x", mine, {}), Catch::Contains("allows only release (of /etc/appv/trusted-keys)"));
  CHECK_THAT(policy_refusal(required, "org.x", mine, {}), Catch::Contains("requires a signature by a key of /etc/appv/trusted-keys"));
  // The user's key named by its fingerprint is the admin's explicit choice.
  const std::string mine_fp = key_fingerprint(load_public_key(t / "user/release.pub"));
  Policy pinned;
  PolicyRule pin;
  pin.apps = "*";
  pin.keys = {mine_fp};
  pinned.rules.push_back(pin);
  CHECK(policy_refusal(pinned, "org.x", mine, {}).empty());
  pinned.rules[0].keys = {"sha256:" + mine_fp.substr(7)};  // prefix in either case
  CHECK(policy_refusal(pinned, "org.x", mine, {}).empty());

  add_signature(Package::open(pkg), sign_trailer(t / "keys/admin.key", Package::open(pkg).trailer(), "release"));
  std::vector<SignatureCheck> both = check_signatures(Package::open(pkg), store);
  REQUIRE(both.size() == 2);
  REQUIRE(both[1].trusted);
  CHECK(both[1].trusted->store == KeyStore::System);
  CHECK(policy_refusal(by_name, "org.x", both, {}).empty());
  CHECK(policy_refusal(required, "org.x", both, {}).empty());
  const std::string admin_fp = key_fingerprint(load_public_key(t / "system/release.pub"));
  pinned.rules[0].keys = {admin_fp};
  CHECK(policy_refusal(pinned, "org.x", both, {}).empty());
  CHECK_THAT(policy_refusal(pinned, "org.x", mine, {}), Catch::Contains("allows only " + admin_fp));
  // A signature that does not verify satisfies nothing, whatever its key.
  both[1].valid = false;
  CHECK_THAT(policy_refusal(by_name, "org.x", both, {}), Catch::Contains("allows only release"));
}

TEST_CASE("the same key in both stores counts as the system store's") {
  TempDir t;
  std::filesystem::create_directories(t / "system");
  std::filesystem::create_directories(t / "user");
  generate_key_pair(t / "k.key", t / "system/release.pub");
  test::write_file(t / "user/mine.pub", test::read_file(t / "system/release.pub"));
  const std::string pkg = sound_package(t, "p.appv");
  add_signature(Package::open(pkg), sign_trailer(t / "k.key", Package::open(pkg).trailer(), "release"));
  for (const auto& dirs : {std::vector<std::string>{t / "system", t / "user"}}) {
    std::vector<SignatureCheck> c = check_signatures(Package::open(pkg), load_trust_store(dirs));
    REQUIRE(c.at(0).trusted);
    CHECK(c[0].trusted->store == KeyStore::System);
    CHECK(c[0].trusted->name == "release");
  }
}

TEST_CASE("key fingerprints are recognised by their spelling") {
  CHECK(is_key_fingerprint("SHA256:" + std::string(64, 'a')));
  CHECK(is_key_fingerprint("sha256:" + std::string(64, 'F')));
  CHECK_FALSE(is_key_fingerprint("SHA256:" + std::string(63, 'a')));
  CHECK_FALSE(is_key_fingerprint("SHA256:" + std::string(63, 'a') + "g"));
  CHECK_FALSE(is_key_fingerprint("release"));
}
