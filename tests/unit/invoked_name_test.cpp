// Busybox style: the name a self-executing package was started by picks its entry.
#include <catch2/catch.hpp>

#include "launcher/invoked_name.h"

using namespace appv;
using namespace appv::cli;

namespace {

Manifest xterm_manifest() {
  Manifest m;
  m.id = "org.x.xterm";
  m.version = "1";
  m.default_entry = "xterm";
  m.entries["xterm"].path = "/usr/bin/xterm";
  m.entries["uxterm"].path = "/usr/bin/uxterm";
  return m;
}

}  // namespace

TEST_CASE("a link named after an entry point runs that entry") {
  const Manifest m = xterm_manifest();
  CHECK(entry_named_by("uxterm", m) == "uxterm");                          // found on PATH
  CHECK(entry_named_by("/home/u/.local/bin/uxterm", m) == "uxterm");       // started by path
  CHECK(entry_named_by("./xterm", m) == "xterm");
}

TEST_CASE("any other name runs the default entry") {
  const Manifest m = xterm_manifest();
  CHECK(entry_named_by("/home/u/apps/xterm.appv", m) == std::nullopt);  // the package's own name
  CHECK(entry_named_by("term", m) == std::nullopt);
  CHECK(entry_named_by("/usr/local/bin/", m) == std::nullopt);
  CHECK(entry_named_by("", m) == std::nullopt);
}
