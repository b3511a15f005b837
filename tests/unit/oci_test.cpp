// OCI references, registry logins and challenges, the artifact appv pushes and what
// it accepts back, apps.toml, and keeping the previous version on install.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "distribution/deploy.h"
#include "desktop/install.h"
#include "distribution/oci_artifact.h"
#include "distribution/oci_auth.h"
#include "distribution/oci_reference.h"
#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/package.h"

using namespace appv;
using appv::test::TempDir;

namespace {

Exit exit_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Exit::Ok;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("references name registry, repository, tag or digest") {
  OciReference r = parse_oci_reference("registry.example.com:5000/tools/jq:1.6");
  CHECK(r.registry == "registry.example.com:5000");
  CHECK(r.repository == "tools/jq");
  CHECK(r.tag == "1.6");
  CHECK(r.digest.empty());
  CHECK(r.reference() == "1.6");
  CHECK(r.str() == "registry.example.com:5000/tools/jq:1.6");

  OciReference latest = parse_oci_reference("oci://localhost/jq");
  CHECK(latest.registry == "localhost");
  CHECK(latest.tag == "latest");

  const std::string d = "sha256:" + std::string(64, 'a');
  OciReference pinned = parse_oci_reference("[::1]:5000/a/b@" + d);
  CHECK(pinned.registry == "[::1]:5000");
  CHECK(pinned.digest == d);
  CHECK(pinned.reference() == d);
  CHECK(pinned.str() == "[::1]:5000/a/b@" + d);

  CHECK(parse_oci_repository("127.0.0.1:5000/team/app").repository == "team/app");
}

TEST_CASE("malformed references are usage errors that say what is wrong") {
  for (const char* bad : {"jq:1.6", "/jq", "Registry.example.com/UPPER:1", "host/a//b:1", "host/a:-x", "host/a:",
                          "host/a@sha256:abc", "host/a@md5:" "0123", "host:99999999/a", "ho st/a", "host/-a", "host/a-",
                          "host/a..b", "[::1/a", "host/a:" "x/y"}) {
    INFO(bad);
    CHECK(exit_of([&] { parse_oci_reference(bad); }) == Exit::Usage);
  }
  CHECK(exit_of([&] { parse_oci_repository("host/a:1"); }) == Exit::Usage);
  CHECK(error_of([&] { parse_oci_reference("jq:1.6"); }).find("names no registry") != std::string::npos);
  CHECK(parse_oci_reference("host/a__b/c-d.e_f:v1.0-rc_2").repository == "a__b/c-d.e_f");
}

TEST_CASE("only loopback registries get plain HTTP without --insecure") {
  for (const char* r : {"localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"}) CHECK(is_loopback_registry(r));
  for (const char* r : {"127.example.com", "128.0.0.1", "10.0.0.1:5000", "registry.example.com", "[::2]:5000",
                        "localhost.example.com", "127.0.0.1.example.com"}) {
    INFO(r);
    CHECK_FALSE(is_loopback_registry(r));
  }
  CHECK(is_oci_url("oci://host/a"));
  CHECK_FALSE(is_oci_url("host/a"));
}

TEST_CASE("WWW-Authenticate challenges") {
  auto bearer = parse_challenge(R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull")");
  REQUIRE(bearer);
  CHECK(bearer->scheme == "bearer");
  CHECK(bearer->params["realm"] == "https://auth.example.com/token");
  CHECK(bearer->params["service"] == "registry.example.com");
  CHECK(bearer->params["scope"] == "repository:a/b:pull");
  auto basic = parse_challenge("Basic realm=\"a \\\"quoted\\\" realm\", charset=UTF-8");
  REQUIRE(basic);
  CHECK(basic->scheme == "basic");
  CHECK(basic->params["realm"] == "a \"quoted\" realm");
  CHECK(basic->params["charset"] == "UTF-8");
  CHECK_FALSE(parse_challenge(""));
  CHECK_FALSE(parse_challenge("Bearer realm=\"unterminated"));
}

TEST_CASE("logins come from docker and podman auth files, the longest matching key first") {
  TempDir dir;
  Credentials alice{"alice", "pa:ss", "test"};
  CHECK(decode_basic_token(basic_token(alice), "x").password == "pa:ss");
  const std::string file = dir / "config.json";
  test::write_file(file, R"({"auths": {
      "https://registry.example.com/v1/": {"auth": ")" + basic_token({"org", "1", ""}) + R"("},
      "registry.example.com/team": {"auth": ")" + basic_token({"team", "2", ""}) + R"("},
      "helper.example.com": {"auth": ""},
      "other.example.com:5000": {"auth": ")" + basic_token({"other", "3", ""}) + R"("}}})");
  auto creds = [&](const std::string& reg, const std::string& repo) {
    auto c = find_credentials({dir / "missing.json", file}, reg, repo);
    return c ? c->username : std::string("none");
  };
  CHECK(creds("registry.example.com", "team/app") == "team");
  CHECK(creds("registry.example.com", "teamwork/app") == "org");
  CHECK(creds("registry.example.com", "x") == "org");
  CHECK(creds("other.example.com:5000", "a") == "other");
  CHECK(creds("other.example.com", "a") == "none");
  CHECK(creds("helper.example.com", "a") == "none");
  CHECK(find_credentials({file}, "registry.example.com", "x")->source == file);

  test::write_file(file, "{\"auths\": {\"r.example.com\": {\"auth\": \"!!!\"}}}");
  CHECK(exit_of([&] { find_credentials({file}, "r.example.com", "a"); }) == Exit::BadInput);
  test::write_file(file, "{\"auths\": {\"r.example.com\": {\"auth\": \"bm9jb2xvbg==\"}}}");  // "nocolon"
  CHECK(exit_of([&] { find_credentials({file}, "r.example.com", "a"); }) == Exit::BadInput);
  test::write_file(file, "{\"auths\": [1, 2]}");
  CHECK(exit_of([&] { find_credentials({file}, "r.example.com", "a"); }) == Exit::BadInput);
  test::write_file(file, "not json");
  CHECK(error_of([&] { find_credentials({file}, "r.example.com", "a"); }).find(file) != std::string::npos);
}

TEST_CASE("the artifact is deterministic and reads back as what was pushed") {
  TempDir dir;
  test::write_package_file(dir / "p.appv", test::base_entries());
  Package p = Package::open(dir / "p.appv");
  const std::string digest = "sha256:" + std::string(64, 'b');
  PackageArtifact a = make_package_artifact(p, digest, 1234);
  CHECK(make_package_artifact(p, digest, 1234).manifest == a.manifest);
  PackageManifest back = parse_package_manifest(a.manifest, "ref");
  CHECK(back.package_blob.digest == digest);
  CHECK(back.package_blob.size == 1234);
  CHECK(back.app_id == "org.example.test");
  CHECK(back.version == "1");
  CHECK(a.manifest.find("\"artifactType\":\"application/vnd.appv.package.v1\"") != std::string::npos);
  CHECK(a.config_blob.size == a.config.size());
}

TEST_CASE("manifests that are not one appv package are refused") {
  const std::string d = "sha256:" + std::string(64, 'c');
  auto manifest = [&](const std::string& layers, const std::string& extra = "") {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)" + extra +
           R"("artifactType":"application/vnd.appv.package.v1","config":{"mediaType":"application/vnd.appv.config.v1+json","digest":")" +
           d + R"(","size":2},"layers":[)" + layers + "]}";
  };
  auto layer = [&](const std::string& digest, const std::string& size) {
    return R"({"mediaType":"application/vnd.appv.package.v1","digest":")" + digest + R"(","size":)" + size + "}";
  };
  CHECK(parse_package_manifest(manifest(layer(d, "10")), "r").package_blob.size == 10);
  // Annotations are advisory (the package's own manifest is checked after the pull):
  // one of another JSON type is ignored, not trusted.
  CHECK(parse_package_manifest(manifest(layer(d, "1"), R"("annotations":{"io.appv.app.id":["x"]},)"), "r").app_id.empty());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not json", "not JSON"},
      {"[]", "not a JSON object"},
      {R"({"schemaVersion":2,"manifests":[]})", "image index"},
      {R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json"},"layers":[]})", "container image"},
      {R"({"schemaVersion":2,"artifactType":"application/x-other","layers":[]})", "artifact of type application/x-other"},
      {manifest(""), "found 0"},
      {manifest(layer(d, "1") + "," + layer(d, "2")), "found 2"},
      {manifest(layer("sha256:../../etc", "1")), "is not sha256"},
      {manifest(layer(d, "0")), "out of range"},
      {manifest(layer(d, "-5")), "out of range"},
      {manifest(layer(d, "1099511627777")), "out of range"},
      {manifest(layer(d, "\"10\"")), "out of range"},
      {R"({"schemaVersion":1,"artifactType":"application/vnd.appv.package.v1","layers":[]})", "schemaVersion 2"},
      {R"({"schemaVersion":2,"mediaType":5,"artifactType":"application/vnd.appv.package.v1","layers":[]})", "malformed manifest"},
      {R"({"schemaVersion":"2","artifactType":"application/vnd.appv.package.v1","layers":[]})", "malformed manifest"},
      {manifest(R"({"mediaType":"application/vnd.appv.package.v1","digest":7,"size":1})"), "malformed manifest"},
  };
  // Plain references, not structured bindings: clang 14 (the sanitizer and fuzz build)
  // cannot capture a binding in a lambda.
  for (const auto& entry : bad) {
    const std::string& text = entry.first;
    const std::string& why = entry.second;
    INFO(text);
    CHECK(exit_of([&] { parse_package_manifest(text, "r"); }) == Exit::BadInput);
    CHECK(error_of([&] { parse_package_manifest(text, "r"); }).find(why) != std::string::npos);
  }
}

TEST_CASE("apps.toml lists references, and anything else is an error with its line") {
  TempDir dir;
  const std::string path = dir / "apps.toml";
  test::write_file(path, "ca_file = \"/etc/appv/ca.pem\"\ninsecure = true\n[[app]]\nref = \"r.example.com/a:1\"\n"
                         "[[app]]\nref = \"oci://r.example.com/b@sha256:" + std::string(64, 'd') + "\"\n");
  AppsConfig c = load_apps_config(path);
  REQUIRE(c.apps.size() == 2);
  CHECK(c.apps[0].str() == "r.example.com/a:1");
  CHECK(c.apps[1].digest == "sha256:" + std::string(64, 'd'));
  CHECK(c.ca_file == "/etc/appv/ca.pem");
  CHECK(options_for(c, {}).insecure);
  CHECK(options_for(c, {}).ca_file == "/etc/appv/ca.pem");

  test::write_file(path, "");
  CHECK(load_apps_config(path).apps.empty());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[[app]]\nref = \"jq:1\"\n", ":2:7: 'jq:1' names no registry"},
      {"[[app]]\nref = \"r.example.com/a:1\"\n[[app]]\nref = \"r.example.com/a:1\"\n", ":4:7: 'r.example.com/a:1' is listed twice"},
      {"[[app]]\nref = \"r.example.com/a:1\"\nchannel = \"beta\"\n", ":3:1: unknown key 'channel'"},
      {"[[app]]\n", "needs ref"},
      {"app = \"r.example.com/a\"\n", "[[app]] tables"},
      {"insecure = \"yes\"\n", "true or false"},
      {"mirror = 1\n", "unknown key 'mirror'"},
      {"[[app]\n", ":1:"},
  };
  for (const auto& [text, why] : bad) {
    INFO(text);
    test::write_file(path, text);
    CHECK(exit_of([&] { load_apps_config(path); }) == Exit::BadInput);
    CHECK(error_of([&] { load_apps_config(path); }).find(why) != std::string::npos);
  }
  CHECK(exit_of([&] { load_apps_config(dir / "none.toml"); }) == Exit::NoInput);
}

TEST_CASE("an install keeps the version it replaces; rollback swaps them") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv"};
  auto manifest = [](const char* version) {
    return std::string("id = \"org.example.test\"\nversion = \"") + version + "\"\n[entry.probe]\npath = \"/usr/bin/probe\"\n";
  };
  test::write_package_file(dir / "v1.appv", test::base_entries(manifest("1")), manifest("1"));
  test::write_package_file(dir / "v2.appv", test::base_entries(manifest("2")), manifest("2"));
  install_package(dir / "v1.appv", roots, "/usr/bin/appv", {"r.example.com/a:1", "sha256:1"});
  InstalledApp two = install_package(dir / "v2.appv", roots, "/usr/bin/appv", {"r.example.com/a:2", "sha256:2"});
  CHECK(two.previous_version == "1");
  CHECK(two.origin == "r.example.com/a:2");
  CHECK(test::read_file(roots.appv + "/packages/org.example.test.previous.appv") == test::read_file(dir / "v1.appv"));

  InstalledApp back = rollback_package("org.example.test", roots, "/usr/bin/appv");
  CHECK(back.version == "1");
  CHECK(back.origin == "r.example.com/a:1");
  CHECK(back.digest == "sha256:1");
  CHECK(back.previous_version == "2");
  CHECK(test::read_file(back.package) == test::read_file(dir / "v1.appv"));
  CHECK(rollback_package("org.example.test", roots, "/usr/bin/appv").version == "2");

  // An update that fails half-way (its icon is not an image) brings back the version
  // it was replacing, menu entry included.
  const std::string gui = "id = \"org.example.test\"\nversion = \"%\"\n[entry.probe]\npath = \"/usr/bin/probe\"\n"
                          "[desktop]\nname = \"Probe\"\n";
  auto with_version = [&](const std::string& v, const std::string& extra) {
    std::string m = gui;
    m.replace(m.find('%'), 1, v);
    return m + extra;
  };
  auto entries_with_icon = [&](const std::string& text, const std::string& icon_bytes) {
    std::vector<test::RawEntry> e = test::base_entries(text);
    e.push_back({"root/usr", '5', 0755, "", "", -1});
    e.push_back({"root/usr/icon.png", '0', 0644, icon_bytes, "", -1});
    return e;
  };
  const std::string g1 = with_version("10", "");
  const std::string g2 = with_version("11", "icon = \"/usr/icon.png\"\n");
  test::write_package_file(dir / "g1.appv", test::base_entries(g1), g1);
  test::write_package_file(dir / "g2.appv", entries_with_icon(g2, "not an image"), g2);
  install_package(dir / "g1.appv", roots, "/usr/bin/appv", {"r.example.com/a:10", "sha256:10"});
  const std::string entry = roots.data + "/applications/appv.org.example.test.probe.desktop";
  REQUIRE(test::exists(entry));
  setenv("XDG_CACHE_HOME", (dir / "cache").c_str(), 1);
  CHECK(exit_of([&] { install_package(dir / "g2.appv", roots, "/usr/bin/appv"); }) == Exit::BadInput);
  std::optional<InstalledApp> kept = find_installed("org.example.test", roots);
  REQUIRE(kept);
  CHECK(kept->version == "10");
  CHECK(kept->origin == "r.example.com/a:10");
  CHECK(test::read_file(kept->package) == test::read_file(dir / "g1.appv"));
  CHECK(test::exists(entry));

  // Nothing of the app is left after uninstalling, the kept version included.
  uninstall_package("org.example.test", roots);
  CHECK_FALSE(test::exists(roots.appv));
  CHECK(exit_of([&] { rollback_package("org.example.test", roots, "/usr/bin/appv"); }) == Exit::Usage);
  install_package(dir / "v1.appv", roots, "/usr/bin/appv");
  CHECK(exit_of([&] { rollback_package("org.example.test", roots, "/usr/bin/appv"); }) == Exit::Usage);
}
