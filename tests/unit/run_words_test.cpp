// `appv run [OPTIONS] PACKAGE [--] [ARGS...]`: everything after PACKAGE is the app's.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "launcher/command_line.h"

using namespace appv::cli;
using Words = std::vector<std::string>;

namespace {

RunArgs split(const Words& words) {
  RunArgs args;
  split_run_words(words, args);
  return args;
}

}  // namespace

TEST_CASE("run: PACKAGE, then the app's words, even ones that look like appv's options") {
  RunArgs a = split({"jq.appv", "--help", "-e", "x", "--dry-run"});
  CHECK(a.package == "jq.appv");
  CHECK(a.app_args == Words{"--help", "-e", "x", "--dry-run"});
  CHECK(split({"jq.appv"}).app_args.empty());
}

TEST_CASE("run: one -- right after PACKAGE is appv's; a later one is the app's") {
  CHECK(split({"jq.appv", "--", "--version"}).app_args == Words{"--version"});
  CHECK(split({"jq.appv", "--", "--"}).app_args == Words{"--"});
  CHECK(split({"jq.appv", "a", "--"}).app_args == Words{"a", "--"});
}

TEST_CASE("run: a leading -- makes the next word PACKAGE, whatever it looks like") {
  RunArgs a = split({"--", "-odd.appv", "a"});
  CHECK(a.package == "-odd.appv");
  CHECK(a.app_args == Words{"a"});
}

TEST_CASE("run: unknown options before PACKAGE, and no PACKAGE, are bad usage") {
  CHECK_THROWS_AS(split({"--bogus", "jq.appv"}), CLI::ExtrasError);
  CHECK_THROWS_WITH(split({"--bogus", "jq.appv"}), "The following argument was not expected: --bogus");
  CHECK_THROWS_AS(split({}), CLI::RequiredError);
  CHECK_THROWS_WITH(split({}), "package is required");
  CHECK_THROWS_AS(split({"--"}), CLI::RequiredError);
}
