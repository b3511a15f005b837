// `appv push`, `pull`, `tags`, `sync`, `update` and `rollback`: their options, here in
// appv; their bodies in the distribution module (libappv-distribution.so), loaded only
// when one of them runs, or `appv run oci://REF` (launcher/module_loader.h).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "distribution/deploy.h"  // kDefaultAppsConfig only: appv does not link the distribution library
#include "launcher/command_line.h"
#include "launcher/module_loader.h"

namespace appv::cli {

void add_tls_options(CLI::App& command, OciArgs& args) {
  command.add_option("--ca-file", args.ca_file, "Trust the CA certificates in this PEM file (default: the system's store)")
      ->type_name("FILE");
  command.add_flag("--insecure", args.insecure, "Allow plain HTTP to a registry that is not on loopback");
}

void add_oci_options(CLI::App& command, OciArgs& args) {
  add_tls_options(command, args);
  command.add_option("--username", args.username, "Log in as this user (with --password-stdin); default: the login "
                                                  "docker or podman saved");
  command.add_flag("--password-stdin", args.password_stdin, "Read the password (or token) from the first line of stdin");
  command.add_option("--limit-rate", args.limit_rate, "Transfer at most this many bytes per second (e.g. 500K, 2M)")
      ->transform(CLI::AsSizeValue(false));
}

void add_oci_commands(CLI::App& app, Commands& out) {
  struct PushPullArgs {
    std::string package, reference, output;
    bool force = false, json = false;
    OciArgs oci;
  };
  auto args = std::make_shared<PushPullArgs>();
  CLI::App* push = app.add_subcommand("push", "Publish a package to an OCI registry as REGISTRY/REPOSITORY:TAG");
  push->add_option("package", args->package, "Package file")->required()->type_name("FILE");
  push->add_option("reference", args->reference, "Where to: REGISTRY/REPOSITORY:TAG, e.g. registry.example.com/tools/jq:1.6")->required();
  add_oci_options(*push, args->oci);
  add_quiet_flag(*push);
  out.add(push, [args] { return distribution_module().push(args->package, args->reference, args->oci); });
  CLI::App* pull = app.add_subcommand("pull", "Download a package from an OCI registry, verified against its digest");
  pull->add_option("reference", args->reference, "REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]")->required();
  pull->add_option("-o,--output", args->output, "File to write (default: <app id>.appv)")->type_name("FILE");
  pull->add_flag("-f,--force", args->force, "Replace the output file if it exists");
  add_oci_options(*pull, args->oci);
  add_quiet_flag(*pull);
  pull->footer("An interrupted pull is resumed by the next one; nothing is written to the output until\n"
               "every byte matches the registry's digest.");
  out.add(pull, [args] { return distribution_module().pull(args->reference, args->output, args->force, args->oci); });
  CLI::App* tags = app.add_subcommand("tags", "List the tags of a repository in an OCI registry");
  tags->add_option("repository", args->reference, "REGISTRY/REPOSITORY")->required();
  add_oci_options(*tags, args->oci);
  tags->add_flag("--json", args->json, "Print a JSON array of strings (see README: Output for scripts)");
  out.add(tags, [args] { return distribution_module().tags(args->reference, args->oci, args->json); });
}

void add_sync_commands(CLI::App& app, Commands& out) {
  struct SyncArgs {
    std::string apps_config = kDefaultAppsConfig;
    std::string app_id;
    bool system = false;
    bool dry_run = false, allow_mass_removal = false;
    OciArgs oci;
  };
  auto args = std::make_shared<SyncArgs>();
  CLI::App* sync = app.add_subcommand("sync", "Install, update and remove apps to match an admin's list of OCI references");
  sync->add_option("-c,--config", args->apps_config, "The list: apps.toml with [[app]] ref = \"REGISTRY/REPO:TAG\"")->capture_default_str()->type_name("FILE");
  sync->add_flag("--system", args->system, "Install for every user (root only; what the appv-sync timer does)");
  sync->add_flag("--dry-run", args->dry_run,
                 "Print what sync would install, update, downgrade and remove (reads manifests only); change nothing");
  sync->add_flag("--allow-mass-removal", args->allow_mass_removal,
                 "Remove even when that is more than half of the apps sync manages, or all of them");
  add_oci_options(*sync, args->oci);
  add_quiet_flag(*sync);
  sync->footer("Idempotent: an app whose reference still resolves to the installed digest is not fetched.\n"
               "Apps installed by hand are left alone; apps sync installed that the list no longer names\n"
               "are removed (not when another app failed, and not more than half of them, or all, without\n"
               "--allow-mass-removal: an emptied list is more often a mistake). Updates keep the user's\n"
               "sandbox and the replaced version, for appv rollback; a tag moved to an older version is\n"
               "reported as a downgrade.");
  out.add(sync, [args] {
    return distribution_module().sync(args->apps_config, args->system, args->dry_run, args->allow_mass_removal, args->oci);
  });
  CLI::App* update = app.add_subcommand("update", "Update an app installed by sync from the reference it came from");
  update->add_option("app", args->app_id, "App id (see appv list)")->required();
  update->add_flag("--system", args->system, "The system-wide installation");
  add_oci_options(*update, args->oci);
  add_quiet_flag(*update);
  out.add(update, [args] { return distribution_module().update(args->app_id, args->system, args->oci); });
  CLI::App* rollback = app.add_subcommand("rollback", "Return an app to the version its last update or install replaced");
  rollback->add_option("app", args->app_id, "App id (see appv list)")->required();
  rollback->add_flag("--system", args->system, "The system-wide installation");
  add_quiet_flag(*rollback);
  out.add(rollback, [args] { return distribution_module().rollback(args->app_id, args->system); });
}

}  // namespace appv::cli
