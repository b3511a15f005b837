#include <catch2/catch.hpp>

#include "redirect/mounts.h"

using namespace appv;

TEST_CASE("overlay option values escape their separators") {
  CHECK(escape_overlay_path("/plain/path") == "/plain/path");
  CHECK(escape_overlay_path("/a:b,c\\d") == "/a\\:b\\,c\\\\d");
}
