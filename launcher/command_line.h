// How `appv` commands join the command line. Each command file registers its own
// subcommand, options and args struct, and the action to run once parsing is done;
// main() only creates the app, asks each file to register, parses and dispatches.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "launcher/commands.h"

namespace CLI {
class App;
}

namespace appv::cli {

// The actions of the registered (sub)commands. An action owns its args struct (the
// options were bound to it at registration) and returns the exit status; it may
// throw appv::Error. Exactly one runs: the one whose subcommand was parsed.
class Commands {
 public:
  using Action = std::function<int()>;
  void add(const CLI::App* command, Action action) { actions_.push_back({command, std::move(action)}); }
  // The action of the parsed subcommand; nullptr when none was parsed.
  const Action* parsed() const;

 private:
  struct Entry {
    const CLI::App* command;
    Action action;
  };
  std::vector<Entry> actions_;
};

// Registration, one function per command file, called by main() in the order of
// `appv --help`.
void add_pack_commands(CLI::App& app, Commands& out);    // pack, capture (pack_options.cpp)
void add_info_commands(CLI::App& app, Commands& out);    // info, ls, verify (inspect_options.cpp)
void add_sign_commands(CLI::App& app, Commands& out);    // keygen, sign (sign_command.cpp)
void add_extract_command(CLI::App& app, Commands& out);  // extract (inspect_options.cpp)
void add_install_commands(CLI::App& app, Commands& out); // install, uninstall, list (desktop_command.cpp)
void add_oci_commands(CLI::App& app, Commands& out);     // push, pull, tags (oci_command.cpp)
void add_sync_commands(CLI::App& app, Commands& out);    // sync, update, rollback (desktop_command.cpp)
void add_run_command(CLI::App& app, Commands& out);      // run (run_options.cpp)
void add_sandbox_command(CLI::App& app, Commands& out);  // sandbox ... (sandbox_command.cpp)
void add_registry_command(CLI::App& app, Commands& out); // registry ... (registry_command.cpp)
void add_cache_command(CLI::App& app, Commands& out);    // cache, cache prune (cache_command.cpp)
// help, version, completion (help_command.cpp). Registered last: their actions
// describe every command registered before them.
void add_help_commands(CLI::App& app, Commands& out);

// -q/--quiet on `command`: nothing is printed but errors and warnings (quiet(),
// reporter.h). Every command that prints more than its result takes it; one line
// each, in the command's registration.
void add_quiet_flag(CLI::App& command);

// The options of every command that talks to an OCI registry, bound to `args`:
// TLS only (what `run oci://` needs), or TLS, login and rate limit.
void add_tls_options(CLI::App& command, OciArgs& args);
void add_oci_options(CLI::App& command, OciArgs& args);

// `appv run` is a prefix command: CLI11 leaves PACKAGE and every word after it, with
// any unknown options of run's before it, in run's remaining words. Sets
// args.package and args.app_args from them: a leading "--" makes the next word
// PACKAGE whatever it looks like, and one "--" right after PACKAGE is appv's, not
// the app's. Throws CLI::ExtrasError for unknown options before PACKAGE and
// CLI::RequiredError without PACKAGE (main() reports both as bad usage).
void split_run_words(const std::vector<std::string>& words, RunArgs& args);

}  // namespace appv::cli
