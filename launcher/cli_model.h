// The command line as data: what `appv --help` shows, taken from the CLI11 app the
// command files registered, so that completions and man pages are generated from the
// definitions themselves and cannot drift from them.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace appv::cli {

// What a value is, for completion: a file name, a directory, a program on PATH, one
// of a few words, or anything else (an id, a reference, a number). Declared where an
// option is registered, as its CLI11 type name ("FILE", "DIR", "COMMAND"; the ":FILE"
// of CLI::ExistingFile, ":DIR" of CLI::ExistingDirectory and ":{a,b}" of
// CLI::IsMember count too).
enum class ValueKind { Text, File, Dir, Command, Choice };

struct OptionDoc {
  std::vector<std::string> names;  // as typed: "-m", "--manifest" (short ones first)
  std::string description;
  bool takes_value = false;        // false: a flag
  ValueKind kind = ValueKind::Text;
  std::string value_name;          // what --help shows after the names ("FILE", "INT"); empty for a flag
  std::vector<std::string> choices;  // kind Choice: the words
  std::string default_value;       // empty when none is shown
  bool repeatable = false;
  bool required = false;
};

struct PositionalDoc {
  std::string name;                // "package"
  std::string description;
  ValueKind kind = ValueKind::Text;
  std::vector<std::string> choices;  // kind Choice: the words
  bool required = false;
  bool many = false;               // takes every remaining word
};

struct CommandDoc {
  std::vector<std::string> path;   // {} for appv itself, {"sandbox", "reset"}
  std::string description;
  std::string footer;              // the text --help shows after the options
  std::vector<OptionDoc> options;  // -h/--help included, hidden options not
  std::vector<PositionalDoc> positionals;
  std::vector<CommandDoc> subcommands;  // in registration order, hidden ones left out
  bool subcommand_required = false;
  // A prefix command (`run`): every word after its first positional is the app's.
  bool rest_is_args = false;

  // "appv", "appv sandbox reset"; "appv-sandbox-reset" with sep "-".
  std::string full_name(const char* sep = " ") const;
};

// The tree of `app` and its visible subcommands. `app` is the root ("appv").
CommandDoc describe(const CLI::App& app);

// One option as data (what describe() lists for each command).
OptionDoc describe_option(const CLI::Option& option);

// What help shows after an option's names, without CLI11's validator noise:
// "TEXT:FILE" is FILE, "INT:INT in [1 - 19]" is INT, a choice is {a|b|c}, a plain
// TEXT is VALUE.
std::string value_display(const OptionDoc& option);

// `root` and every command below it, parents before their subcommands.
std::vector<const CommandDoc*> all_commands(const CommandDoc& root);

// "file", "dir", "command", "choice", "text": how the completion scripts name a kind.
const char* kind_name(ValueKind kind);

}  // namespace appv::cli
