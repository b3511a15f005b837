// `appv run [OPTIONS] PACKAGE [--] [ARGS...]`: its options, and where parsing stops.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "distribution/oci_reference.h"
#include "launcher/command_line.h"

namespace appv::cli {
namespace {

bool looks_like_option(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

// CLI11 leaves PACKAGE and everything after it in run's remaining words (a prefix
// command stops at the first word that is no option of run's), with run's own unknown
// options before it. Splits them into args.package and args.app_args; throws the
// ParseError main() reports as bad usage.
void take_package(std::vector<std::string> words, RunArgs& args) {
  size_t i = 0;
  std::vector<std::string> unknown;
  // A leading "--" ends run's options: the next word is PACKAGE, whatever it looks like.
  if (i < words.size() && words[i] == "--") {
    ++i;
  } else {
    while (i < words.size() && looks_like_option(words[i]) && words[i] != "--") unknown.push_back(words[i++]);
    if (!unknown.empty()) throw CLI::ExtrasError(unknown);
    if (i < words.size() && words[i] == "--") ++i;
  }
  if (i >= words.size()) throw CLI::RequiredError("package");
  args.package = words[i++];
  if (i < words.size() && words[i] == "--") ++i;  // `PACKAGE -- ARGS`: the "--" is appv's
  args.app_args.assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
}

}  // namespace

void add_run_command(CLI::App& app, Commands& out) {
  struct Parsed {
    RunArgs run;
    OciArgs oci;
    std::string package_help;  // bound for --help only; see below
  };
  auto p = std::make_shared<Parsed>();
  CLI::App* cmd = app.add_subcommand("run", "Run a package's entry point in its virtual view");
  cmd->add_option("-e,--entry", p->run.entry, "Entry point to run (default: the manifest's default_entry)");
  cmd->add_option("--isolate", p->run.isolate, "PREFIX=MODE, MODE one of merged, writecopy, full, host (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", p->run.dry_run, "Print the rules and the mount plan, run nothing");
  cmd->add_flag("--json", p->run.json, "With --dry-run: print the plan as JSON");
  cmd->add_flag("--temp", p->run.temp, "Use a throw-away sandbox: every change is discarded when the app exits");
  add_tls_options(*cmd, p->oci);
  // Everything after PACKAGE belongs to the app, even words that look like appv's
  // options (`appv run jq.appv --help`): run is a prefix command, so CLI11 stops at
  // PACKAGE. The positional below exists for --help and for a leading "--"; its check
  // refuses every word, so CLI11 never fills it and PACKAGE always stops the parse.
  cmd->prefix_command();
  cmd->validate_positionals();
  cmd->add_option("package", p->package_help, "Package file, or oci://REGISTRY/REPOSITORY[:TAG|@DIGEST]")
      ->check(CLI::Validator([](const std::string&) { return std::string("stops the parse"); }, ""));
  cmd->callback([p, cmd] { take_package(cmd->remaining(), p->run); });
  cmd->footer("Usage: appv run [OPTIONS] PACKAGE [--] [ARGS...]\nEverything after PACKAGE is passed to the app.\n"
              "oci://REF is pulled into the cache (resumable, verified) and run from there; when the registry\n"
              "is unreachable, the copy a tag last resolved to runs, with a warning.");
  out.add(cmd, [p] {
    RunArgs run = p->run;
    if (is_oci_url(run.package)) run.package = pull_for_run(run.package, p->oci);
    return cmd_run(run);
  });
}

}  // namespace appv::cli
