// Bad command lines: the message names the command meant, the closest known word and
// that command's help. The tree is parsed by CLI11 as appv's is, and the message is
// built from the ParseError CLI11 really raised.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "launcher/usage_error.h"

using appv::cli::command_named_by;
using appv::cli::usage_message;

namespace {

struct Tree {
  CLI::App app{"appv", "appv"};
  std::string s;
  bool b = false;
  Tree() {
    app.require_subcommand(1);
    CLI::App* pack = app.add_subcommand("pack", "Pack");
    pack->add_option("-o,--output", s, "Output");
    pack->add_option("-m,--manifest", s, "Manifest");
    pack->add_flag("-q,--quiet", b, "Quiet");
    CLI::App* pull = app.add_subcommand("pull", "Pull");
    pull->add_option("reference", s, "Reference")->required();
    CLI::App* sandbox = app.add_subcommand("sandbox", "Sandboxes");
    sandbox->require_subcommand(1);
    CLI::App* list = sandbox->add_subcommand("list", "List");
    list->add_flag("--json", b, "JSON");
    sandbox->add_subcommand("reset", "Reset");
    sandbox->add_subcommand("export", "Export");
  }
  // The message for `words`, which must fail to parse.
  std::string message(std::vector<std::string> words) {
    std::vector<std::string> reversed(words.rbegin(), words.rend());
    try {
      app.parse(reversed);
    } catch (const CLI::ParseError& e) {
      return usage_message(app, words, e);
    }
    FAIL("parsed without an error");
    return {};
  }
};

}  // namespace

TEST_CASE("an unknown command in a group is named with the closest one") {
  CHECK(Tree().message({"sandbox", "lst"}) ==
        "appv sandbox: unknown command 'lst'; did you mean 'list'? (see 'appv sandbox --help')");
  CHECK(Tree().message({"sandbx", "list"}) == "appv: unknown command 'sandbx'; did you mean 'sandbox'? (see 'appv --help')");
}

TEST_CASE("an unknown command nothing is close to lists the commands") {
  CHECK(Tree().message({"frobnicate"}) == "appv: unknown command 'frobnicate' (commands: pack, pull, sandbox) (see 'appv --help')");
}

TEST_CASE("a group without its command says which it takes") {
  CHECK(Tree().message({"sandbox"}) == "appv sandbox: a command is required: list, reset, export (see 'appv sandbox --help')");
}

TEST_CASE("an unknown option is matched against that subcommand's options") {
  CHECK(Tree().message({"pack", "--ouput", "x"}) ==
        "appv pack: unknown option '--ouput'; did you mean '--output'? (see 'appv pack --help')");
  CHECK(Tree().message({"pack", "--man=x"}) ==
        "appv pack: unknown option '--man'; did you mean '--manifest'? (see 'appv pack --help')");
  // --json is sandbox list's: it is not suggested for pack.
  CHECK(Tree().message({"pack", "--jsn"}) == "appv pack: unknown option '--jsn' (see 'appv pack --help')");
  CHECK(Tree().message({"sandbox", "list", "--jsn"}) ==
        "appv sandbox list: unknown option '--jsn'; did you mean '--json'? (see 'appv sandbox list --help')");
}

TEST_CASE("other option errors point to the subcommand's help") {
  CHECK(Tree().message({"pull"}) == "appv pull: reference is required (see 'appv pull --help')");
}

TEST_CASE("command_named_by follows subcommands and steps over options") {
  Tree t;
  CHECK(command_named_by(t.app, {"sandbox", "list", "--json"}).get_name() == "list");
  CHECK(command_named_by(t.app, {"-q", "pack", "-o", "x"}).get_name() == "pack");
  CHECK(command_named_by(t.app, {"bogus", "pack"}).get_name() == "appv");
  CHECK(command_named_by(t.app, {"--", "pack"}).get_name() == "appv");
}
