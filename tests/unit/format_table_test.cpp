// Tables for people (appv list): aligned under a header, two spaces apart.
#include <catch2/catch.hpp>

#include "launcher/format.h"

using appv::cli::format_table;

TEST_CASE("columns are aligned under the header, the last one unpadded") {
  CHECK(format_table({{"APP", "VERSION", "FROM"}, {"org.example.tool", "1.2", "-"}, {"jq", "0", "r.example.com/jq:1.6"}}) ==
        "APP               VERSION  FROM\n"
        "org.example.tool  1.2      -\n"
        "jq                0        r.example.com/jq:1.6\n");
}

TEST_CASE("widths count characters, not bytes") {
  CHECK(format_table({{"APP", "V"}, {"grüße", "1"}}) == "APP    V\ngrüße  1\n");
}

TEST_CASE("a header alone, and nothing at all") {
  CHECK(format_table({{"APP", "VERSION"}}) == "APP  VERSION\n");
  CHECK(format_table({}).empty());
}
