// The distribution module: OCI references, registry logins and challenges, the
// artifact appv pushes and what it accepts back, and apps.toml.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "base/reporter.h"
#include "distribution/deploy.h"
#include "distribution/oci_artifact.h"
#include "distribution/oci_auth.h"
#include "distribution/oci_reference.h"
#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/package.h"

using namespace appv;
using appv::test::RecordingReporter;
using appv::test::TempDir;
using appv::test::Thrown;
using appv::test::thrown_by;

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
    Thrown t = thrown_by([&] { parse_oci_reference(bad); });
    CHECK(t.code == Exit::Usage);
    CHECK_THAT(t.message, Catch::StartsWith(std::string("'") + bad + "'"));
  }
  Thrown tagged = thrown_by([&] { parse_oci_repository("host/a:1"); });
  CHECK(tagged.code == Exit::Usage);
  CHECK(tagged.message == "'host/a:1': give a repository without tag or digest");
  CHECK_THAT(thrown_by([&] { parse_oci_reference("jq:1.6"); }).message, Catch::Contains("names no registry"));
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
  RecordingReporter reporter;
  auto creds = [&](const std::string& reg, const std::string& repo) {
    auto c = find_credentials({dir / "missing.json", file}, reg, repo, reporter);
    return c ? c->username : std::string("none");
  };
  CHECK(creds("registry.example.com", "team/app") == "team");
  CHECK(creds("registry.example.com", "teamwork/app") == "org");
  CHECK(creds("registry.example.com", "x") == "org");
  CHECK(creds("other.example.com:5000", "a") == "other");
  CHECK(creds("other.example.com", "a") == "none");
  CHECK(creds("helper.example.com", "a") == "none");
  CHECK(find_credentials({file}, "registry.example.com", "x", reporter)->source == file);
  CHECK(reporter.warnings.empty());

  auto refused = [&](const std::string& content) {
    test::write_file(file, content);
    return thrown_by([&] { find_credentials({file}, "r.example.com", "a", reporter); });
  };
  Thrown t = refused("{\"auths\": {\"r.example.com\": {\"auth\": \"!!!\"}}}");
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message == "'" + file + "': an \"auth\" value is not base64");
  t = refused("{\"auths\": {\"r.example.com\": {\"auth\": \"bm9jb2xvbg==\"}}}");  // "nocolon"
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message == "'" + file + "': an \"auth\" value is not user:password");
  t = refused("{\"auths\": [1, 2]}");
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message == "auth file '" + file + "': \"auths\" is not an object");
  t = refused("not json");
  CHECK(t.code == Exit::BadInput);
  CHECK_THAT(t.message, Catch::StartsWith("auth file '" + file + "' is not valid JSON: "));
}

TEST_CASE("a login kept by a credential helper is a warning, not a failure") {
  TempDir dir;
  const std::string file = dir / "config.json";
  test::write_file(file, R"({"credHelpers": {"r.example.com": "secretservice"}, "auths": {}})");
  RecordingReporter reporter;
  CHECK_FALSE(find_credentials({file}, "r.example.com", "a", reporter));
  REQUIRE(reporter.warnings.size() == 1);
  CHECK(reporter.warnings[0] == "'" + file + "' names a credential helper for r.example.com; appv does not run helpers "
                                "(use --username and --password-stdin)");
  CHECK_FALSE(find_credentials({file}, "other.example.com", "a", reporter));
  CHECK(reporter.warnings.size() == 1);
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
    Thrown t = thrown_by([&] { parse_package_manifest(text, "r"); });
    CHECK(t.code == Exit::BadInput);
    CHECK_THAT(t.message, Catch::Contains(why));
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
    Thrown t = thrown_by([&] { load_apps_config(path); });
    CHECK(t.code == Exit::BadInput);
    CHECK_THAT(t.message, Catch::StartsWith(path + ":") && Catch::Contains(why));
  }
  Thrown missing = thrown_by([&] { load_apps_config(dir / "none.toml"); });
  CHECK(missing.code == Exit::NoInput);
  CHECK(missing.message == "'" + (dir / "none.toml") + "' does not exist");
}

TEST_CASE("a URL's origin is its scheme, host and port, as credentials are scoped") {
  CHECK(url_origin("https://Registry.Example.com/v2/a/tags/list?n=1") == "https://registry.example.com:443");
  CHECK(url_origin("http://127.0.0.1:5000/v2/") == "http://127.0.0.1:5000");
  CHECK(url_origin("http://127.0.0.1:5001/v2/") != url_origin("http://127.0.0.1:5000/v2/"));  // another port, another origin
  CHECK(url_origin("http://reg.example.com/x") != url_origin("https://reg.example.com/x"));    // another scheme too
  CHECK(url_origin("https://reg.example.com:443/x") == url_origin("https://reg.example.com/y"));
  CHECK(url_origin("http://[::1]:5000/v2/") == "http://[::1]:5000");
  // A URL that disguises its host is never the registry's origin (curl refuses it: "").
  CHECK(url_origin("http://user:pass@127.0.0.1:8080@evil.example/v2/") != "http://127.0.0.1:8080");
  CHECK(url_origin("http://127.0.0.1:8080@evil.example/v2/") == "http://evil.example:80");
  CHECK(url_origin("/v2/a/tags/list").empty());
  CHECK(url_origin("//other.example.com/v2/").empty());
  CHECK(url_origin("ftp://example.com/").rfind("ftp://", 0) == 0);  // not http(s): perform() refuses the scheme
  CHECK(url_origin("not a url").empty());
}

TEST_CASE("versions are ordered as dpkg orders them, so sync can tell a downgrade") {
  // Each is older than the next (dpkg --compare-versions agrees on every pair).
  const std::vector<std::string> ascending = {"0", "0.9", "1.0~rc1", "1.0", "1.0a", "1.0.1", "1.2", "1.10", "2", "2.0",
                                              "10", "2023.01", "2023.1a"};
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    INFO(ascending[i] << " < " << ascending[i + 1]);
    CHECK(compare_versions(ascending[i], ascending[i + 1]) < 0);
    CHECK(compare_versions(ascending[i + 1], ascending[i]) > 0);
  }
  CHECK(compare_versions("1.02", "1.2") == 0);  // digit runs are numbers
  CHECK(compare_versions("3.11.2", "3.11.2") == 0);
  CHECK(compare_versions("99999999999999999999999", "100000000000000000000000") < 0);  // any length
}
