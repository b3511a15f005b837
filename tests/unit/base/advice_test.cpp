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
  const std::string in_userns = overlay_advice(EINVAL, true);
  const std::string named = overlay_advice(EINVAL, true, "/usr", "/usr/local/nvidia");
  if (major > 5 || (major == 5 && minor >= 11)) {
    CHECK_THAT(in_userns, Catch::Contains("a lower directory with a mount below it"));
    CHECK_THAT(in_userns, Catch::Contains("failed to clone lowerpath"));
    CHECK_THAT(in_userns, !Catch::Contains("5.11"));
    // Where the caller knows the mount, the advice names it, not the kernel version.
    CHECK(named == "the lower directory '/usr' has a mount below it ('/usr/local/nvidia'), which a user namespace "
                   "inherits locked and overlayfs will not take as a layer");
  } else {
    CHECK(in_userns == "overlayfs inside a user namespace needs Linux 5.11 or newer");
    CHECK(named == in_userns);
  }
  // Outside a user namespace neither the kernel's version nor locked mounts explain it.
  const std::string as_root = overlay_advice(EINVAL, false, "/usr", "/usr/local/nvidia");
  CHECK_THAT(as_root, !Catch::Contains("5.11"));
  CHECK_THAT(as_root, !Catch::Contains("locked"));
  CHECK_THAT(as_root, Catch::Contains("an upper directory inside a lower one"));
}

TEST_CASE("advice: only the errnos that mislead get advice") {
  CHECK(advice_for(Attempt::Mount, ENODEV) == "the kernel lacks this file system");
  CHECK(overlay_advice(ENODEV, true) == "the kernel lacks this file system");
  CHECK(overlay_advice(EPERM, true).empty());
  CHECK(advice_for(Attempt::Mount, EINVAL).empty());
  CHECK(advice_for(Attempt::Exec, ENOENT) == "it (or its interpreter) is not in the view");
  CHECK(advice_for(Attempt::Exec, EACCES).empty());
  CHECK(advice_for(Attempt::TlsVerify, 0) == "trust its CA with --ca-file");
}

TEST_CASE("advice: an overlay's upper directory on overlayfs is named, whatever the kernel") {
  const std::string advice = overlay_upper_advice("/home/u/.local/share/appv/sandboxes/jq/upper/usr");
  CHECK_THAT(advice, Catch::Contains("'/home/u/.local/share/appv/sandboxes/jq/upper/usr' is on overlayfs"));
  CHECK_THAT(advice, Catch::Contains("set XDG_DATA_HOME to a directory on another file system"));
  CHECK_THAT(advice, !Catch::Contains("5.11"));
}
