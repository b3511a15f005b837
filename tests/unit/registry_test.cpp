#include <catch2/catch.hpp>

#include "base/error.h"
#include "manifests/manifest.h"
#include "manifests/registry.h"
#include "tests/unit/support/thrown.h"

using namespace appv;

TEST_CASE("registry values become GVariant text") {
  CHECK(gvariant_text(std::string("it's \\ here\n")) == "'it\\'s \\\\ here\\n'");
  CHECK(gvariant_text(int64_t{-42}) == "-42");
  CHECK(gvariant_text(2.0) == "2.0");
  CHECK(gvariant_text(0.25) == "0.25");
  CHECK(gvariant_text(true) == "true");
  CHECK(gvariant_text(std::vector<std::string>{"a", "b'c"}) == "['a', 'b\\'c']");
}

TEST_CASE("registry keys are dconf paths") {
  CHECK(check_registry_key("/org/example/app/greeting").empty());
  CHECK_FALSE(check_registry_key("org/example/key").empty());
  CHECK_FALSE(check_registry_key("/org/example/").empty());
  CHECK_FALSE(check_registry_key("/key").empty());
  CHECK_FALSE(check_registry_key("/org//key").empty());
  CHECK_FALSE(check_registry_key("/org/a=b/key").empty());
  CHECK_FALSE(check_registry_key("/org/[x]/key").empty());
}

TEST_CASE("keyfiles round-trip in GLib's layout") {
  RegistryValues v{{"/org/a/app/greeting", "'hi'"}, {"/org/a/app/count", "5"}, {"/org/b/flag", "true"}};
  std::string text = format_keyfile(v);
  CHECK(text == "[org/a/app]\ncount=5\ngreeting='hi'\n\n[org/b]\nflag=true\n");
  CHECK(parse_keyfile(text) == v);
  // GLib's own output: comments, blank lines, spaces around '='.
  CHECK(parse_keyfile("# c\n[org/x]\nkey = 'v'\n\nbroken line\n[bad\n") ==
        RegistryValues{{"/org/x/key", "'v'"}});
}

TEST_CASE("a manifest's [registry] table is read, checked and written back") {
  Manifest m = parse_manifest(R"(
id = "org.a"
version = "1"
[entry.a]
path = "/usr/bin/a"
[registry]
"/org/a/greeting" = "hello"
"/org/a/count" = 3
"/org/a/ratio" = 0.5
"/org/a/on" = true
"/org/a/list" = ["x", "y"]
)", "m.toml");
  REQUIRE(m.registry.size() == 5);
  CHECK(gvariant_text(m.registry.at("/org/a/greeting")) == "'hello'");
  CHECK(parse_manifest(write_manifest(m), "again").registry == m.registry);
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[registry]\n\"/bad\" = 1\n", "m"), Exit::BadInput, "/bad");
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[registry]\n\"/o/k\" = {x=1}\n", "m"), Exit::BadInput, "/o/k");
}

TEST_CASE("a manifest's isolation prefixes and env values may use tokens") {
  Manifest m = parse_manifest(R"(
id = "org.a"
version = "1"
[entry.a]
path = "/usr/bin/a"
[isolation]
"~/.mozilla" = "full"
"${XDG_CONFIG_HOME}/a" = "writecopy"
[env]
clean = true
set = { A_CONF = "${XDG_CONFIG_HOME}/a", A_LIB = "${APPV_ROOT}/lib" }
)", "m.toml");
  CHECK(m.isolation.count("~/.mozilla") == 1);
  CHECK(m.env.clean);
  CHECK(parse_manifest(write_manifest(m), "again").env.clean);
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[isolation]\n\"$FOO/x\" = 'full'\n", "m"), Exit::BadInput, "$FOO");
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[isolation]\n\"~/../x\" = 'full'\n", "m"), Exit::BadInput, "~/../x");
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[env]\nset={X='$SECRET'}\n", "m"), Exit::BadInput, "unknown token ${SECRET}");
}

TEST_CASE("a manifest's files.hide lists host paths below a top-level directory") {
  Manifest m = parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[files]\nhide=['/etc/old.conf']\n", "m");
  CHECK(m.hide == std::vector<std::string>{"/etc/old.conf"});
  CHECK(parse_manifest(write_manifest(m), "again").hide == m.hide);
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[files]\nhide=['/etc']\n", "m"), Exit::BadInput, "/etc");
  CHECK_REFUSED(parse_manifest("id='a'\nversion='1'\n[entry.a]\npath='/a'\n[files]\nhide=['/etc/../x/y']\n", "m"), Exit::BadInput, "/etc/../x/y");
}
