#include <catch2/catch.hpp>

#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>

#include "base/advice.h"

using namespace appv;

TEST_CASE("advice: an overlay's EINVAL is explained for the running kernel") {
  struct utsname u {};
  REQUIRE(::uname(&u) == 0);
  int major = 0, minor = 0;
  REQUIRE(std::sscanf(u.release, "%d.%d", &major, &minor) == 2);
  const std::string advice = advice_for(Attempt::OverlayMount, EINVAL);
  if (major > 5 || (major == 5 && minor >= 11)) {
    CHECK_THAT(advice, Catch::Contains("a lower directory with a mount below it"));
    CHECK_THAT(advice, !Catch::Contains("5.11"));
  } else {
    CHECK(advice == "overlayfs inside a user namespace needs Linux 5.11 or newer");
  }
}

TEST_CASE("advice: only the errnos that mislead get advice") {
  CHECK(advice_for(Attempt::Mount, ENODEV) == "the kernel lacks this file system");
  CHECK(advice_for(Attempt::OverlayMount, ENODEV) == "the kernel lacks this file system");
  CHECK(advice_for(Attempt::Mount, EINVAL).empty());
  CHECK(advice_for(Attempt::Exec, ENOENT) == "it (or its interpreter) is not in the view");
  CHECK(advice_for(Attempt::Exec, EACCES).empty());
  CHECK(advice_for(Attempt::TlsVerify, 0) == "trust its CA with --ca-file");
  // Whichever sysctl applies here, the advice names a way out.
  CHECK_FALSE(advice_for(Attempt::UserNamespace, EPERM).empty());
}
