#include <catch2/catch.hpp>

#include "base/error.h"
#include "manifests/toml_reader.h"

using namespace appv;

TEST_CASE("a TOML syntax error names the file, line and column") {
  try {
    parse_toml("a = 1\nb = = 2\n", "apps.toml");
    FAIL("parsed");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK(std::string(e.what()).rfind("apps.toml:2:", 0) == 0);
  }
}

TEST_CASE("a reader's complaint points at the value's place") {
  toml::table t = parse_toml("\n  key = 'x'\n", "policy.toml");
  try {
    toml_fail("policy.toml", t["key"].node()->source(), "'key' is not known");
    FAIL("returned");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "policy.toml:2:9: 'key' is not known");
  }
}
