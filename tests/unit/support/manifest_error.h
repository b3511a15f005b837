// The refusal a manifest text gets: for tests of what parse_manifest rejects.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "base/error.h"
#include "manifests/manifest.h"

namespace appv::test {

// The message of the BadInput error parse_manifest throws for `text` (origin
// "m.toml"); a test failure if it throws another status or accepts the text.
inline std::string manifest_error(const std::string& text) {
  try {
    parse_manifest(text, "m.toml");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    return e.what();
  }
  FAIL("manifest was accepted: " << text);
  return {};
}

}  // namespace appv::test
