#include <cerrno>

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace appv;

TEST_CASE("throw_sys keeps what failed, the path and errno besides the message") {
  try {
    throw_sys("cannot open", "/no/such", ENOENT, Exit::NoInput);
    FAIL("throw_sys returned");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::NoInput);
    CHECK(std::string(e.what()) == "cannot open '/no/such': " + errno_text(ENOENT));
    CHECK(e.op() == "cannot open");
    CHECK(e.path() == "/no/such");
    CHECK(e.err() == ENOENT);
  }
}

TEST_CASE("an error that is not a system call's has no errno, op or path") {
  Error e(Exit::BadInput, "bad magic");
  CHECK(std::string(e.what()) == "bad magic");
  CHECK(e.err() == 0);
  CHECK(e.op().empty());
  CHECK(e.path().empty());
}
