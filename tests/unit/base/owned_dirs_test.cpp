#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/owned_dirs.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using appv::test::TempDir;

TEST_CASE("appv keeps its cache and sandboxes only in directories of its own user") {
  TempDir t;
  const std::string base = t / "base";
  REQUIRE(::mkdir(base.c_str(), 0755) == 0);
  require_own_dirs(base, "appv/sandboxes");  // absent below: fine
  REQUIRE(::mkdir((base + "/appv").c_str(), 0755) == 0);
  require_own_dirs(base, "appv/sandboxes");
  if (::geteuid() == 0) {
    // Root and a directory a user (nobody) owns: the base, a directory below it, or
    // the nearest directory above a base that does not exist yet.
    REQUIRE(::chown((base + "/appv").c_str(), 65534, 65534) == 0);
    CHECK_REFUSED(require_own_dirs(base, "appv/sandboxes"), Exit::NoPerm, "'" + base + "/appv' belongs to uid 65534, not to uid 0");
    REQUIRE(::chown((base + "/appv").c_str(), 0, 0) == 0);
    REQUIRE(::chown(base.c_str(), 65534, 65534) == 0);
    CHECK_REFUSED(require_own_dirs(base, "appv"), Exit::NoPerm, "'" + base + "' belongs to uid 65534");
    CHECK_REFUSED(require_own_dirs(base + "/missing/deeper", "appv"), Exit::NoPerm, "'" + base + "' belongs to uid 65534");
    REQUIRE(::chown(base.c_str(), 0, 0) == 0);
  } else {
    // A user and root's directories: /usr exists and is root's.
    CHECK_REFUSED(require_own_dirs("/usr", "appv"), Exit::NoPerm, "'/usr' belongs to uid 0");
    require_own_dirs("/usr/no-such-dir-appv", "appv");  // created below a root-owned directory: fine
  }
}
