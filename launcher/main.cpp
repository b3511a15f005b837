// appv: the command line. Creates the app, lets each command file register its
// subcommands, parses, dispatches, and maps errors to exit statuses.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include "base/error.h"
#include "launcher/command_line.h"
#include "launcher/exit_statuses.h"
#include "launcher/format.h"
#include "launcher/help_format.h"
#include "launcher/usage_error.h"
#include "launcher/version.h"

int main(int argc, char** argv) {
  using namespace appv;
  CLI::App app{"appv: application virtualization for Linux. Packs an application and its files into one "
               "file, and runs it on another machine through a virtual view of the file system.",
               "appv"};
  // Before any subcommand exists: they take their formatter from appv's.
  app.formatter(std::make_shared<cli::HelpFormatter>());
  app.require_subcommand(1);
  // The text without its final newline: CLI11 adds one.
  const std::string version = cli::version_text();
  app.set_version_flag("--version", version.substr(0, version.size() - 1));

  cli::Commands commands;
  // `appv run` is the launch path: it registers only itself, since building every
  // other command's options (CLI11 objects, validators, unit tables) cost a quarter of
  // the launcher's own start-up time. Nothing of `run`'s parsing or help depends on
  // the others; `appv --help` and every other command see them all.
  const bool run_only = argc > 1 && std::string(argv[1]) == "run";
  if (!run_only) {
    cli::add_pack_commands(app, commands);
    cli::add_info_commands(app, commands);
    cli::add_sign_commands(app, commands);
    cli::add_extract_command(app, commands);
    cli::add_install_commands(app, commands);
    cli::add_oci_commands(app, commands);
    cli::add_sync_commands(app, commands);
  }
  cli::add_run_command(app, commands);
  if (!run_only) {
    cli::add_sandbox_command(app, commands);
    cli::add_registry_command(app, commands);
    cli::add_cache_command(app, commands);
    cli::add_help_commands(app, commands);
  }

  // After registration, so that subcommands do not inherit it: the table is shown
  // here and by `appv help exit-statuses`; each subcommand's help points to it.
  app.footer(cli::exit_status_text());

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::vector<std::string> words(argv + 1, argv + argc);
    std::fprintf(stderr, "%s\n", cli::usage_message(app, words, e).c_str());
    return static_cast<int>(Exit::Usage);
  }

  return cli::report_errors([&]() -> int {
    const cli::Commands::Action* action = commands.parsed();
    return action ? (*action)() : static_cast<int>(Exit::Usage);
  });
}
