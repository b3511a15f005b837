// appv: the command line. Creates the app, lets each command file register its
// subcommands, parses, dispatches, and maps errors to exit statuses.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/error.h"
#include "launcher/command_line.h"
#include "launcher/exit_statuses.h"
#include "launcher/format.h"
#include "launcher/version.h"

int main(int argc, char** argv) {
  using namespace appv;
  CLI::App app{"appv: application virtualization for Linux. Packs an application and its files into one "
               "file, and runs it on another machine through a virtual view of the file system.",
               "appv"};
  app.footer(cli::exit_status_text());
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    bool known = false;
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known = known || (argc > 1 && sub->get_name() == argv[1]);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (argc > 1 && argv[1][0] != '-' && !known) what = fmt::format("unknown command '{}' (commands: {})", argv[1], names);
    std::fprintf(stderr, "appv: %s (see 'appv --help')\n", what.c_str());
    return static_cast<int>(Exit::Usage);
  }

  return cli::report_errors([&]() -> int {
    const cli::Commands::Action* action = commands.parsed();
    return action ? (*action)() : static_cast<int>(Exit::Usage);
  });
}
