// appv: the command line. Parses, dispatches, and maps errors to exit statuses.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "launcher/commands.h"
#include "distribution/deploy.h"
#include "launcher/format.h"
#include "distribution/oci_reference.h"
#include "base/error.h"

namespace {

constexpr const char* kExitCodes =
    "Exit status:\n"
    "  0    success; for run, the app's own status (128+N if signal N killed it)\n"
    "  1    other failure\n"
    "  64   bad command line\n"
    "  65   bad package or manifest (corrupt, hostile, inconsistent)\n"
    "  66   an input file, registry tag or repository does not exist or cannot be read\n"
    "  69   the host lacks what appv needs (user namespaces, overlayfs), or a registry is unreachable\n"
    "  70   internal error\n"
    "  74   I/O error while writing\n"
    "  75   the app is running and the request needs it stopped, or another sync is running\n"
    "  77   refused by the machine's policy (/etc/appv/policy.toml), or by a registry's login\n"
    "  126  the entry point cannot be executed\n"
    "  127  the entry point is not in the view\n";

// For `appv run`, the index just past PACKAGE (the first word that is neither an
// option of run nor an option's value); argc for every other command.
int run_split(int argc, char** argv) {
  int i = 1;
  while (i < argc && argv[i][0] == '-') ++i;  // appv's global flags take no values
  if (i >= argc || std::string_view(argv[i]) != "run") return argc;
  for (++i; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return std::min(i + 2, argc);
    if (a == "-e" || a == "--entry" || a == "--isolate" || a == "--ca-file") {
      ++i;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') continue;
    return i + 1;
  }
  return argc;
}

// Loads libappv-pack.so from beside appv (build tree) or ../lib/appv (installed)
// and runs `appv pack` there.
int run_pack(const appv::cli::PackArgs& args) {
  using namespace appv;
  std::string self = cli::self_exe();
  std::string dir = self.substr(0, self.find_last_of('/'));
  std::string tried;
  for (const std::string& path : {dir + "/libappv-pack.so", dir + "/../lib/appv/libappv-pack.so"}) {
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      tried += (tried.empty() ? "" : "; ") + std::string(::dlerror());
      continue;
    }
    auto entry = reinterpret_cast<cli::PackEntry>(::dlsym(module, cli::kPackEntrySymbol));
    if (!entry) throw Error(Exit::Internal, fmt::format("'{}' has no {}", path, cli::kPackEntrySymbol));
    return entry(args);
  }
  throw Error(Exit::Environment, fmt::format("cannot load the packer module: {}", tried));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace appv;
  CLI::App app{"appv: application virtualization for Linux. Packs an application and its files into one "
               "file, and runs it on another machine through a virtual view of the file system.",
               "appv"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", "appv 0.1.0");

  cli::PackArgs pack;
  CLI::App* pack_cmd = app.add_subcommand("pack", "Capture programs (closure) and manifest includes into a package");
  pack_cmd->add_option("programs", pack.programs, "Programs to pack (path, or name on PATH) when no manifest is given");
  pack_cmd->add_option("-m,--manifest", pack.manifest, "Manifest (TOML) describing the package")->check(CLI::ExistingFile);
  pack_cmd->add_option("-o,--output", pack.output, "Package file to write (with --trace: default <app id>.appv)");
  pack_cmd->add_option("--app-version", pack.app_version, "Version recorded when no manifest is given");
  pack_cmd->add_flag("--strict", pack.strict, "Fail if any needed library cannot be found");
  pack_cmd->add_option("--level", pack.level, "zstd compression level")->check(CLI::Range(1, 19))->capture_default_str();
  pack_cmd->add_flag("-q,--quiet", pack.quiet, "Print nothing but errors and warnings");
  CLI::Option* exe_flag = pack_cmd->add_flag("--exe,!--no-exe", pack.exe,
                                             "Put the runtime stub in front so the package runs by itself (default: on)");
  pack_cmd->add_flag("--trace", pack.trace, "Trace capture: run the command given after -- and pack every file it uses");
  pack_cmd->add_option("--report-json", pack.report_json, "With --trace: also write the capture report as JSON here");
  pack_cmd->add_flag("--allow-failure", pack.allow_failure, "With --trace: pack even if the traced command fails");
  pack_cmd->add_flag("--report-only", pack.report_only, "With --trace: write the report of what would be packed, no package");
  pack_cmd->footer("Usage: appv pack PROGRAM... -o OUT | appv pack -m MANIFEST -o OUT | appv pack --trace [-o OUT] [-m M] -- CMD [ARGS...]\n"
                   "Reproducible: the same inputs give the same bytes; SOURCE_DATE_EPOCH sets every entry's time.\n"
                   "Trace capture writes OUT.report.txt: every file with why it was packed, every path left out and why.");

  cli::PackArgs capture;
  capture.capture = true;
  CLI::App* capture_cmd = app.add_subcommand("capture", "Install capture: run an installer in a write-copy view and pack what it wrote");
  capture_cmd->add_option("installer", capture.programs, "The installer and its arguments, after --")->required();
  capture_cmd->add_option("-m,--manifest", capture.manifest, "Manifest naming entry points, includes and [capture] rules")->check(CLI::ExistingFile);
  capture_cmd->add_option("-o,--output", capture.output, "Package file to write (default: <app id>.appv)");
  capture_cmd->add_option("--app-version", capture.app_version, "Version recorded when no manifest is given");
  capture_cmd->add_option("--report-json", capture.report_json, "Also write the capture report as JSON here");
  capture_cmd->add_flag("--allow-failure", capture.allow_failure, "Pack even if the installer fails");
  capture_cmd->add_flag("--report-only", capture.report_only, "Write the report of what would be packed, no package");
  capture_cmd->add_flag("--strict", capture.strict, "Fail if any needed library cannot be found");
  capture_cmd->add_flag("-q,--quiet", capture.quiet, "Print nothing but errors and warnings");
  CLI::Option* capture_exe = capture_cmd->add_flag("--exe,!--no-exe", capture.exe, "Put the runtime stub in front (default: on)");
  capture_cmd->footer("Usage: appv capture [OPTIONS] -- INSTALLER [ARGS...]   e.g. appv capture -- dpkg -i tool.deb\n"
                      "The host is left exactly as it was; the package holds what the installer added or changed.\n"
                      "New programs in bin/ and sbin/ and programs of new .desktop files become entry points.");

  std::string package;
  CLI::App* info_cmd = app.add_subcommand("info", "Show identity, entry points, sizes and digests (reads no payload)");
  info_cmd->add_option("package", package, "Package file")->required();

  bool long_format = false;
  CLI::App* ls_cmd = app.add_subcommand("ls", "List the files inside a package at their virtual paths");
  ls_cmd->add_option("package", package, "Package file")->required();
  ls_cmd->add_flag("-l,--long", long_format, "Show type, mode and size");

  CLI::App* verify_cmd = app.add_subcommand("verify", "Check every digest, entry and signature of a package, and what the policy says");
  verify_cmd->add_option("package", package, "Package file")->required();

  std::string key_name, key_dir, key_file, signer;
  CLI::App* keygen_cmd = app.add_subcommand("keygen", "Create an Ed25519 signing key pair: NAME.key and NAME.pub");
  keygen_cmd->add_option("name", key_name, "Key name (the files' names)")->required();
  keygen_cmd->add_option("--dir", key_dir, "Directory to write them to (default: the current one)");
  CLI::App* sign_cmd = app.add_subcommand("sign", "Add a signature to a package (in place, atomically; several are allowed)");
  sign_cmd->add_option("package", package, "Package file")->required();
  sign_cmd->add_option("-k,--key", key_file, "Private key (from appv keygen)")->required()->check(CLI::ExistingFile);
  sign_cmd->add_option("--signer", signer, "Name recorded with the signature (default: the key file's name)");

  std::string dir;
  CLI::App* extract_cmd = app.add_subcommand("extract", "Extract a package safely into a new directory, for inspection");
  extract_cmd->add_option("package", package, "Package file")->required();
  extract_cmd->add_option("dir", dir, "Directory to create (must not exist, or be empty)")->required();

  bool system = false;
  CLI::App* install_cmd = app.add_subcommand("install", "Install a package with menu entries, icon and file associations");
  install_cmd->add_option("package", package, "Package file")->required();
  install_cmd->add_flag("--system", system, "For every user (root only); default: for you");
  std::string app_id;
  CLI::App* uninstall_cmd = app.add_subcommand("uninstall", "Remove an installed package and every file install added");
  uninstall_cmd->add_option("app", app_id, "App id (see appv list)")->required();
  uninstall_cmd->add_flag("--system", system, "The system-wide installation");
  CLI::App* list_cmd = app.add_subcommand("list", "List installed packages");
  list_cmd->add_flag("--system", system, "The system-wide installation");

  // Options of every command that talks to an OCI registry.
  cli::RegistryArgs reg;
  auto tls_options = [&](CLI::App* cmd) {
    cmd->add_option("--ca-file", reg.ca_file, "Trust the CA certificates in this PEM file (default: the system's store)");
    cmd->add_flag("--insecure", reg.insecure, "Allow plain HTTP to a registry that is not on loopback");
  };
  auto registry_options = [&](CLI::App* cmd) {
    tls_options(cmd);
    cmd->add_option("--username", reg.username, "Log in as this user (with --password-stdin); default: the login "
                                                "docker or podman saved");
    cmd->add_flag("--password-stdin", reg.password_stdin, "Read the password (or token) from the first line of stdin");
    cmd->add_option("--limit-rate", reg.limit_rate, "Transfer at most this many bytes per second (e.g. 500K, 2M)")
        ->transform(CLI::AsSizeValue(false));
  };
  std::string reference;
  bool force = false;
  CLI::App* push_cmd = app.add_subcommand("push", "Publish a package to an OCI registry as REGISTRY/REPOSITORY:TAG");
  push_cmd->add_option("package", package, "Package file")->required();
  push_cmd->add_option("reference", reference, "Where to: REGISTRY/REPOSITORY:TAG, e.g. registry.example.com/tools/jq:1.6")->required();
  registry_options(push_cmd);
  CLI::App* pull_cmd = app.add_subcommand("pull", "Download a package from an OCI registry, verified against its digest");
  pull_cmd->add_option("reference", reference, "REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]")->required();
  pull_cmd->add_option("-o,--output", dir, "File to write (default: <app id>.appv)");
  pull_cmd->add_flag("-f,--force", force, "Replace the output file if it exists");
  registry_options(pull_cmd);
  pull_cmd->footer("An interrupted pull is resumed by the next one; nothing is written to the output until\n"
                   "every byte matches the registry's digest.");
  CLI::App* tags_cmd = app.add_subcommand("tags", "List the tags of a repository in an OCI registry");
  tags_cmd->add_option("repository", reference, "REGISTRY/REPOSITORY")->required();
  registry_options(tags_cmd);

  std::string apps_config = kDefaultAppsConfig;
  CLI::App* sync_cmd = app.add_subcommand("sync", "Install, update and remove apps to match an admin's list of OCI references");
  sync_cmd->add_option("-c,--config", apps_config, "The list: apps.toml with [[app]] ref = \"REGISTRY/REPO:TAG\"")->capture_default_str();
  sync_cmd->add_flag("--system", system, "Install for every user (root only; what the appv-sync timer does)");
  registry_options(sync_cmd);
  sync_cmd->footer("Idempotent: an app whose reference still resolves to the installed digest is not fetched.\n"
                   "Apps installed by hand are left alone; apps sync installed that the list no longer names\n"
                   "are removed (not when another app failed). Updates keep the user's sandbox and the\n"
                   "replaced version, for appv rollback.");
  CLI::App* update_cmd = app.add_subcommand("update", "Update an app installed by sync from the reference it came from");
  update_cmd->add_option("app", app_id, "App id (see appv list)")->required();
  update_cmd->add_flag("--system", system, "The system-wide installation");
  registry_options(update_cmd);
  CLI::App* rollback_cmd = app.add_subcommand("rollback", "Return an app to the version its last update or install replaced");
  rollback_cmd->add_option("app", app_id, "App id (see appv list)")->required();
  rollback_cmd->add_flag("--system", system, "The system-wide installation");

  cli::RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a package's entry point in its virtual view");
  run_cmd->add_option("-e,--entry", run.entry, "Entry point to run (default: the manifest's default_entry)");
  run_cmd->add_option("--isolate", run.isolate, "PREFIX=MODE, MODE one of merged, writecopy, full, host (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_flag("--dry-run", run.dry_run, "Print the rules and the mount plan, run nothing");
  run_cmd->add_flag("--temp", run.temp, "Use a throw-away sandbox: every change is discarded when the app exits");
  tls_options(run_cmd);
  run_cmd->add_option("package", run.package, "Package file, or oci://REGISTRY/REPOSITORY[:TAG|@DIGEST]")->required();
  run_cmd->footer("Usage: appv run [OPTIONS] PACKAGE [--] [ARGS...]\nEverything after PACKAGE is passed to the app.\n"
                  "oci://REF is pulled into the cache (resumable, verified) and run from there; when the registry\n"
                  "is unreachable, the copy a tag last resolved to runs, with a warning.");

  CLI::App* sandbox_cmd = app.add_subcommand("sandbox", "See and manage an app's per-user sandbox (what it wrote)");
  sandbox_cmd->require_subcommand(1);
  CLI::App* sb_list = sandbox_cmd->add_subcommand("list", "List your sandboxes: app, version, size, running or not");
  CLI::App* sb_path = sandbox_cmd->add_subcommand("path", "Print the sandbox directory of APP");
  sb_path->add_option("app", app_id, "App id")->required();
  CLI::App* sb_diff = sandbox_cmd->add_subcommand("diff", "What APP added (A), modified (M), deleted (D) or replaced (R)");
  sb_diff->add_option("app", app_id, "App id")->required();
  bool keep_config = false;
  CLI::App* sb_reset = sandbox_cmd->add_subcommand("reset", "Discard everything APP wrote: it sees the pristine view again");
  sb_reset->add_option("app", app_id, "App id")->required();
  sb_reset->add_flag("--keep-config", keep_config, "Keep its configuration ($XDG_CONFIG_HOME, with its GSettings keys)");
  std::string archive_file;
  CLI::App* sb_export = sandbox_cmd->add_subcommand("export", "Write APP's sandbox to FILE (tar+zstd)");
  sb_export->add_option("app", app_id, "App id")->required();
  sb_export->add_option("file", archive_file, "File to write, e.g. app.tar.zst")->required();
  bool replace = false;
  CLI::App* sb_import = sandbox_cmd->add_subcommand("import", "Make FILE (from sandbox export) APP's sandbox");
  sb_import->add_option("app", app_id, "App id")->required();
  sb_import->add_option("file", archive_file, "File written by appv sandbox export")->required();
  sb_import->add_flag("--replace", replace, "Discard the sandbox APP has now");

  std::string key, value;
  CLI::App* registry_cmd = app.add_subcommand("registry", "Read and change an app's configuration keys (GSettings)");
  registry_cmd->require_subcommand(1);
  registry_cmd->footer("Keys are dconf paths (/org/example/app/key); values are GVariant text ('text', 42, true, ['a']).");
  CLI::App* reg_list = registry_cmd->add_subcommand("list", "Every key of APP with its value, packaged default or yours");
  reg_list->add_option("app", app_id, "App id")->required();
  CLI::App* reg_get = registry_cmd->add_subcommand("get", "Print KEY's value");
  reg_get->add_option("app", app_id, "App id")->required();
  reg_get->add_option("key", key, "Key, as /org/example/app/key")->required();
  CLI::App* reg_set = registry_cmd->add_subcommand("set", "Set KEY to VALUE (GVariant text) for you");
  reg_set->add_option("app", app_id, "App id")->required();
  reg_set->add_option("key", key, "Key, as /org/example/app/key")->required();
  reg_set->add_option("value", value, "Value as GVariant text, e.g. \"'hello'\" or 42")->required();
  CLI::App* reg_reset = registry_cmd->add_subcommand("reset", "Drop your value of KEY (or of every key): the default returns");
  reg_reset->add_option("app", app_id, "App id")->required();
  reg_reset->add_option("key", key, "Key (default: every key)");

  // Everything after `appv run`'s PACKAGE belongs to the app, even words that look
  // like appv's own options: only the part before it is parsed here.
  const int parsed_argc = run_split(argc, argv);
  for (int i = parsed_argc; i < argc; ++i) {
    if (i == parsed_argc && std::string_view(argv[i]) == "--") continue;
    run.app_args.emplace_back(argv[i]);
  }

  try {
    app.parse(parsed_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || (argc > 1 && sub->get_name() == argv[1]);
    if (argc > 1 && argv[1][0] != '-' && !known) {
      what = fmt::format("unknown command '{}' (commands: pack, capture, info, ls, verify, extract, run, sandbox, registry, keygen, sign, push, pull, tags, install, uninstall, list, sync, update, rollback)", argv[1]);
    }
    std::fprintf(stderr, "appv: %s (see 'appv --help')\n", what.c_str());
    return static_cast<int>(Exit::Usage);
  }

  return cli::report_errors([&]() -> int {
    if (*pack_cmd) {
      pack.exe_explicit = exe_flag->count() > 0 && pack.exe;
      return run_pack(pack);
    }
    if (*capture_cmd) {
      capture.exe_explicit = capture_exe->count() > 0 && capture.exe;
      return run_pack(capture);
    }
    if (*info_cmd) return cli::cmd_info(package);
    if (*ls_cmd) return cli::cmd_ls(package, long_format);
    if (*verify_cmd) return cli::cmd_verify(package);
    if (*extract_cmd) return cli::cmd_extract(package, dir);
    if (*keygen_cmd) return cli::cmd_keygen(key_name, key_dir);
    if (*sign_cmd) return cli::cmd_sign(package, key_file, signer);
    if (*run_cmd) {
      if (is_oci_url(run.package)) run.package = cli::pull_for_run(run.package, reg);
      return cli::cmd_run(run);
    }
    if (*push_cmd) return cli::cmd_push(package, reference, reg);
    if (*pull_cmd) return cli::cmd_pull(reference, dir, force, reg);
    if (*tags_cmd) return cli::cmd_tags(reference, reg);
    if (*sync_cmd) return cli::cmd_sync(apps_config, system, reg);
    if (*update_cmd) return cli::cmd_update(app_id, system, reg);
    if (*rollback_cmd) return cli::cmd_rollback(app_id, system);
    if (*install_cmd) return cli::cmd_install(package, system);
    if (*uninstall_cmd) return cli::cmd_uninstall(app_id, system);
    if (*list_cmd) return cli::cmd_list(system);
    if (*sb_list) return cli::cmd_sandbox_list();
    if (*sb_path) return cli::cmd_sandbox_path(app_id);
    if (*sb_diff) return cli::cmd_sandbox_diff(app_id);
    if (*sb_reset) return cli::cmd_sandbox_reset(app_id, keep_config);
    if (*sb_export) return cli::cmd_sandbox_export(app_id, archive_file);
    if (*sb_import) return cli::cmd_sandbox_import(app_id, archive_file, replace);
    if (*reg_list) return cli::cmd_registry_list(app_id);
    if (*reg_get) return cli::cmd_registry_get(app_id, key);
    if (*reg_set) return cli::cmd_registry_set(app_id, key, value);
    if (*reg_reset) return cli::cmd_registry_reset(app_id, key);
    return static_cast<int>(Exit::Usage);
  });
}
