// `appv run [OPTIONS] PACKAGE [--] [ARGS...]`: its options, and where parsing stops.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "distribution/oci_reference.h"
#include "launcher/command_line.h"
#include "launcher/installed_target.h"
#include "launcher/module_loader.h"

namespace appv::cli {

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
  cmd->add_option("--deny", p->run.deny,
                  "Take a permission away from the package: network, session-bus, system-bus, x11, wayland, "
                  "pulseaudio, pipewire, dri, devices (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", p->run.dry_run, "Print the launch plan (backend, sandbox, argv, environment, rules, mounts), run nothing");
  cmd->add_flag("--json", p->run.json, "With --dry-run: print the plan as JSON");
  cmd->add_option("--backend", p->run.backend,
                  "How the view is made: ns (user and mount namespaces, the default) or ptrace (no namespaces: "
                  "the app's path system calls are redirected)")
      ->check(CLI::IsMember({"ns", "ptrace"}));
  cmd->add_flag("--temp", p->run.temp, "Use a throw-away sandbox: every change is discarded when the app exits");
  cmd->add_option("--argv0", p->run.argv0, "The app's argv[0] (default: the entry point's path)");
  add_tls_options(*cmd, p->oci);
  add_quiet_flag(*cmd);
  // Everything after PACKAGE belongs to the app, even words that look like appv's
  // options (`appv run jq.appv --help`): run is a prefix command, so CLI11 stops at
  // PACKAGE. The positional below exists for --help and for a leading "--"; its check
  // refuses every word, so CLI11 never fills it and PACKAGE always stops the parse.
  cmd->prefix_command();
  cmd->validate_positionals();
  cmd->add_option("package", p->package_help, "Package file, an installed app's id (yours, then the system's), or oci://REGISTRY/REPOSITORY[:TAG|@DIGEST]")
      ->type_name("FILE")
      ->check(CLI::Validator([](const std::string&) { return std::string("stops the parse"); }, ""));
  cmd->callback([p, cmd] { split_run_words(cmd->remaining(), p->run); });
  cmd->footer("Usage: appv run [OPTIONS] PACKAGE|APP-ID [--] [ARGS...]\nEverything after PACKAGE is passed to the app.\n"
              "An APP-ID that names no file runs the package `appv install` installed for you, else for every user.\n"
              "oci://REF is pulled into the cache (resumable, verified) and run from there; when the registry\n"
              "is unreachable, the copy a tag last resolved to runs, with a warning.");
  out.add(cmd, [p] {
    RunArgs run = p->run;
    if (is_oci_url(run.package)) {
      // Only a launch from a registry loads the distribution module (and libcurl).
      std::string pulled;
      if (const int status = distribution_module().pull_for_run(run.package, p->oci, pulled); status != 0) return status;
      run.package = pulled;
    } else if (!run.package.empty()) {
      const RunTarget target = resolve_run_target(run.package);
      run.package = target.package;
      run.installed = target.installed;
    }
    return cmd_run(run);
  });
}

}  // namespace appv::cli
