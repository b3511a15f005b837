// How `appv --help`, `appv CMD --help` and `appv help CMD` print a command: CLI11's
// layout, without its type noise ("TEXT:FILE", "INT:INT in [1 - 19]", "{false}",
// "REQUIRED" on positionals), and with the same one-line pointer to the exit status
// table at the end of every subcommand's help; appv's own help shows the table.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace appv::cli {

// The last line of every subcommand's help.
inline constexpr const char* kExitStatusPointer = "Exit status: see 'appv help exit-statuses'.";

class HelpFormatter : public CLI::Formatter {
 public:
  // "-o,--output", "--exe,--no-exe": the names alone (no "{false}" of a negated flag).
  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override;
  // " FILE", " INT (default: 3)", " {bash|zsh|fish}", " VALUE ... (required)"; ""
  // for a flag and for a positional (its name says what it is).
  std::string make_option_opts(const CLI::Option* opt) const override;
  // The command's footer, then kExitStatusPointer for every command but appv itself.
  std::string make_footer(const CLI::App* app) const override;
};

}  // namespace appv::cli
