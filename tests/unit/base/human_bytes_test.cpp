#include <catch2/catch.hpp>

#include "base/human_bytes.h"

using appv::human_bytes;

TEST_CASE("human_bytes picks the unit that keeps the number below 1000") {
  CHECK(human_bytes(0) == "0 B");
  CHECK(human_bytes(812) == "812 B");
  CHECK(human_bytes(999) == "999 B");
  CHECK(human_bytes(1000) == "1.0 kB");
  CHECK(human_bytes(45'300) == "45.3 kB");
  CHECK(human_bytes(4'640'000) == "4.6 MB");
  CHECK(human_bytes(12'000'000) == "12.0 MB");
  CHECK(human_bytes(1'200'000'000) == "1.2 GB");
  CHECK(human_bytes(3'000'000'000'000ull) == "3.0 TB");
}

TEST_CASE("human_bytes never shows 1000.0 of a unit") {
  CHECK(human_bytes(999'949) == "999.9 kB");
  CHECK(human_bytes(999'950) == "1.0 MB");
  CHECK(human_bytes(999'999'999) == "1.0 GB");
}
