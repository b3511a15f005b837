// What a bad command line becomes: one line naming the command it was meant for, what
// was wrong, the closest word appv knows ("did you mean 'list'?") and that command's
// own help, so a user is sent to `appv sandbox --help` rather than the top of appv.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace appv::cli {

// The (sub)command a command line names, found from its words as CLI11 descends:
// `words` are argv without argv[0]. Stops at "--" and at the first word that is not a
// subcommand of where it stands (options are stepped over). Returns `root` for none.
const CLI::App& command_named_by(const CLI::App& root, const std::vector<std::string>& words);

// The message for `error` raised while `root` parsed `words` (argv without argv[0]),
// without "appv: " or a newline, e.g.
//   "appv sandbox: unknown command 'lst'; did you mean 'list'? (see 'appv sandbox --help')"
//   "appv pack: unknown option '--ouput'; did you mean '--output'? (see 'appv pack --help')"
//   "appv pull: reference is required (see 'appv pull --help')"
std::string usage_message(const CLI::App& root, const std::vector<std::string>& words, const CLI::ParseError& error);

}  // namespace appv::cli
