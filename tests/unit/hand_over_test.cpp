// A self-executing package hands over only to an appv the system installed, with
// the stub's options spelled as `appv run`'s.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "launcher/hand_over.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv::cli;
using Words = std::vector<std::string>;

TEST_CASE("hand over: the stub's run as the installed appv's command line") {
  RunArgs run;
  run.package = "/home/u/jq.appv";
  run.app_args = {"--", "-n", "1"};
  CHECK(hand_over_argv("/usr/bin/appv", run) == Words{"/usr/bin/appv", "run", "--", "/home/u/jq.appv", "--", "--", "-n", "1"});
  run.entry = "jq";
  run.isolate = {"/usr=full", "/etc=full"};
  run.temp = true;
  run.dry_run = true;
  run.app_args = {};
  CHECK(hand_over_argv("/usr/bin/appv", run) == Words{"/usr/bin/appv", "run", "--entry", "jq", "--isolate", "/usr=full",
                                                      "--isolate", "/etc=full", "--temp", "--dry-run", "--",
                                                      "/home/u/jq.appv", "--"});
  // Through a link named after an entry point, and with --appv-quiet: the app keeps the
  // link's name, appv its silence.
  run.temp = false;
  run.dry_run = false;
  run.isolate = {};
  run.argv0 = "jq-sorted";
  CHECK(hand_over_argv("/usr/bin/appv", run, true) == Words{"/usr/bin/appv", "run", "--entry", "jq", "--argv0", "jq-sorted",
                                                            "--quiet", "--", "/home/u/jq.appv", "--"});
}

TEST_CASE("hand over: only a root-owned file in root-owned directories nobody else may write") {
  // A system program in /usr/bin is what the Debian package's appv will be.
  CHECK(trusted_installed_appv("/usr/bin/env") == std::optional<std::string>("/usr/bin/env"));
  CHECK_FALSE(trusted_installed_appv("/usr/bin/no-such-appv"));
  CHECK_FALSE(trusted_installed_appv("relative/appv"));
  CHECK_FALSE(trusted_installed_appv("/usr/bin"));  // not a regular file
  // A temporary directory is below /tmp, which everyone may write: never trusted,
  // whoever owns the file.
  appv::test::TempDir dir;
  appv::test::write_file(dir / "appv", "#!/bin/sh\n", 0755);
  CHECK_FALSE(trusted_installed_appv(dir / "appv"));
  // A link is not followed, even to a trusted file.
  REQUIRE(::symlink("/usr/bin/env", (dir / "link").c_str()) == 0);
  CHECK_FALSE(trusted_installed_appv(dir / "link"));
}
