// The --json shapes of `appv info`, `ls`, `verify`, `list`, `sandbox list` and `tags`
// (README.md, "Output for scripts"): scripts depend on these keys and types.
#include <catch2/catch.hpp>

#include "launcher/json_output.h"

using namespace appv;
using namespace appv::cli;
using nlohmann::json;

namespace {

Manifest jq_manifest() {
  Manifest m;
  m.id = "jq";
  m.name = "jq";
  m.version = "1.6";
  m.default_entry = "jq";
  m.entries["jq"] = EntryPoint{"/usr/bin/jq", {}};
  m.entries["jq-raw"] = EntryPoint{"/usr/bin/jq", {"-r", "a b"}};
  m.isolation["/opt"] = Isolation::Full;
  return m;
}

Digest filled(uint8_t byte) {
  Digest d{};
  d.fill(byte);
  return d;
}

}  // namespace

TEST_CASE("json_digest spells a digest as sha256:<hex>") {
  CHECK(json_digest("ab12") == "sha256:ab12");
}

TEST_CASE("info --json: identity, entries, sizes in bytes, digests") {
  Header h;
  h.file_count = 12;
  h.unpacked_bytes = 4096;
  Trailer t;
  t.header_offset = 1000;  // a runtime stub of 1000 bytes in front
  t.header_size = 200;
  t.payload_offset = 1200;
  t.payload_size = 3000;
  t.header_digest = filled(0x11);
  t.payload_digest = filled(0xab);
  Signature sig;
  sig.signer = "release";
  const json j = info_json(jq_manifest(), h, t, 4300, {sig});

  CHECK(j["id"] == "jq");
  CHECK(j["version"] == "1.6");
  CHECK(j["default_entry"] == "jq");
  REQUIRE(j["entries"].size() == 2);
  CHECK(j["entries"][0] == json{{"name", "jq"}, {"path", "/usr/bin/jq"}, {"args", json::array()}, {"default", true}});
  CHECK(j["entries"][1]["args"] == json{"-r", "a b"});
  CHECK(j["entries"][1]["default"] == false);
  CHECK(j["isolation"] == json::parse(R"([{"prefix": "/opt", "mode": "full"}])"));
  CHECK(j["file_count"] == 12);
  CHECK(j["unpacked_bytes"] == 4096);
  CHECK(j["file_bytes"] == 4300);
  CHECK(j["stub_bytes"] == 1000);
  CHECK(j["header"] == json{{"offset", 1000}, {"size", 200}, {"digest", "sha256:" + std::string(64, '1')}});
  CHECK(j["payload"]["offset"] == 1200);
  CHECK(j["payload"]["size"] == 3000);
  std::string ab;
  for (int i = 0; i < 32; ++i) ab += "ab";
  CHECK(j["payload"]["digest"] == "sha256:" + ab);
  CHECK(j["signers"] == json{"release"});
}

TEST_CASE("ls --json: one object per entry at its virtual path") {
  PayloadEntry file{"root/usr/bin/jq", PayloadEntry::Type::File, 0755, 31240, ""};
  CHECK(ls_entry_json(file) ==
        json{{"path", "/usr/bin/jq"}, {"type", "file"}, {"mode", 0755}, {"size", 31240}, {"link", nullptr}});
  PayloadEntry root{"root", PayloadEntry::Type::Dir, 0755, 0, ""};
  CHECK(ls_entry_json(root)["path"] == "/");
  CHECK(ls_entry_json(root)["type"] == "dir");
  PayloadEntry link{"root/lib", PayloadEntry::Type::Symlink, 0777, 0, "usr/lib"};
  CHECK(ls_entry_json(link)["type"] == "symlink");
  CHECK(ls_entry_json(link)["link"] == "usr/lib");
  PayloadEntry hard{"root/usr/bin/b", PayloadEntry::Type::Hardlink, 0755, 0, "root/usr/bin/a"};
  CHECK(ls_entry_json(hard)["type"] == "hardlink");
  CHECK(ls_entry_json(hard)["link"] == "/usr/bin/a");
}

TEST_CASE("verify --json: digest, signatures, what the policy says") {
  Policy policy;
  SECTION("unsigned, no policy file") {
    const json j = verify_json("jq.appv", jq_manifest(), "cd", 7, {}, policy, "");
    CHECK(j["package"] == "jq.appv");
    CHECK(j["id"] == "jq");
    CHECK(j["version"] == "1.6");
    CHECK(j["entries"] == 7);
    CHECK(j["payload_digest"] == "sha256:cd");
    CHECK(j["ok"] == true);
    CHECK(j["signatures"] == json::array());
    CHECK(j["policy"] == json{{"allows", true}, {"reason", nullptr}, {"file", nullptr}});
  }
  SECTION("a trusted signature and an invalid one; the policy refuses") {
    policy.origin = "/etc/appv/policy.toml";
    SignatureCheck good;
    good.signature.signer = "release";
    good.valid = true;
    good.trusted = TrustedKey{"release", "/etc/appv/trusted-keys/release.pub", {}, KeyStore::System};
    SignatureCheck bad;
    bad.signature.signer = "mallory";
    SignatureCheck users;
    users.valid = true;
    users.trusted = TrustedKey{"release", "/home/u/.config/appv/trusted-keys/release.pub", {}, KeyStore::User};
    const json j = verify_json("jq.appv", jq_manifest(), "cd", 7, {good, bad, users}, policy, "it has no signature");
    CHECK(j["ok"] == false);
    REQUIRE(j["signatures"].size() == 3);
    CHECK(j["signatures"][0]["trusted_store"] == "system");
    CHECK(j["signatures"][1]["trusted_store"] == nullptr);
    CHECK(j["signatures"][2]["trusted_store"] == "user");
    CHECK(j["signatures"][0]["signer"] == "release");
    CHECK(j["signatures"][0]["valid"] == true);
    CHECK(j["signatures"][0]["trusted_key"] == "/etc/appv/trusted-keys/release.pub");
    CHECK(j["signatures"][0]["fingerprint"].get<std::string>().rfind("SHA256:", 0) == 0);
    CHECK(j["signatures"][1]["valid"] == false);
    CHECK(j["signatures"][1]["trusted_key"] == nullptr);
    CHECK(j["policy"] == json{{"allows", false}, {"reason", "it has no signature"}, {"file", "/etc/appv/policy.toml"}});
  }
}

TEST_CASE("list --json: installed apps; absent origin and previous version are null") {
  InstalledApp by_hand{"jq", "1.6", "/home/u/.local/share/appv/packages/jq.appv", {}, "", "", "", {}};
  InstalledApp synced{"py", "3.11", "/p/py.appv", {"/d/py.desktop"}, "reg.example/tools/py:3", "sha256:ee", "3.10", {}};
  const json j = list_json({by_hand, synced});
  REQUIRE(j.is_array());
  CHECK(j[0] == json{{"id", "jq"}, {"version", "1.6"}, {"package", "/home/u/.local/share/appv/packages/jq.appv"},
                     {"origin", nullptr}, {"digest", nullptr}, {"previous_version", nullptr}});
  CHECK(j[1]["origin"] == "reg.example/tools/py:3");
  CHECK(j[1]["digest"] == "sha256:ee");
  CHECK(j[1]["previous_version"] == "3.10");
  CHECK(list_json({}) == json::array());
}

TEST_CASE("sandbox list --json: running, idle or stopped, size in bytes") {
  const json j = sandbox_list_json(
      {{"jq", "1.6", 4096, std::nullopt}, {"py", std::nullopt, 0, 42}, {"sh", "5", 1, 43, true}});
  CHECK(j[0] == json{{"app", "jq"}, {"version", "1.6"}, {"bytes", 4096}, {"running", false}, {"idle", false}, {"pid", nullptr}});
  CHECK(j[1] == json{{"app", "py"}, {"version", nullptr}, {"bytes", 0}, {"running", true}, {"idle", false}, {"pid", 42}});
  // An instance that lingers: its init's pid, the app not running.
  CHECK(j[2] == json{{"app", "sh"}, {"version", "5"}, {"bytes", 1}, {"running", false}, {"idle", true}, {"pid", 43}});
  CHECK(sandbox_list_json({}) == json::array());
}

TEST_CASE("tags --json: an array of strings") {
  CHECK(tags_json({"1.6", "latest"}) == json{"1.6", "latest"});
  CHECK(tags_json({}) == json::array());
}
