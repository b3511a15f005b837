// The `appv` subcommands. Each takes parsed options, calls the modules and prints;
// errors travel up as appv::Error and main() turns them into a message and status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace appv {
struct CommandRequest;  // desktop/install.h
class Package;          // vfs/package.h
}

namespace appv::cli {

// How a package file is written: shared by `appv pack` and both captures.
struct PackOutputArgs {
  std::string output;
  bool strict = false;
  int level = 3;          // zstd compression level, 1..19
  bool quiet = false;
  bool exe = true;        // put the runtime stub in front: a self-executing package
  bool exe_explicit = false;
};

// `appv pack PROGRAM...` and `appv pack -m MANIFEST`: closure capture.
struct PackArgs {
  std::vector<std::string> programs;
  std::string manifest;
  std::string app_id;       // --id, without a manifest
  std::string app_version;  // --version, without a manifest
  PackOutputArgs out;       // out.output "": <app id>.appv in the working directory
};
int cmd_pack(const PackArgs& args);

// `appv pack --trace -- CMD...` (trace capture) and `appv capture -- INSTALLER...`
// (install capture): `command` is what runs, traced or inside a write-copy view.
struct CaptureArgs {
  enum class Kind { Trace, Install };
  Kind kind = Kind::Trace;
  std::vector<std::string> command;  // the installer, or the command to trace after --
  std::vector<std::string> trace_runs;  // --trace-run: more commands to trace, each a shell-quoted line
  bool keep_profile = false;            // --trace-keep-profile: trace in the user's own HOME
  std::string manifest;
  std::string app_id;
  std::string app_version;
  std::string report_json;
  bool allow_failure = false;
  bool report_only = false;
  PackOutputArgs out;
};
int cmd_capture(const CaptureArgs& args);

int cmd_info(const std::string& package);
int cmd_ls(const std::string& package, bool long_format);
int cmd_verify(const std::string& package);
int cmd_extract(const std::string& package, const std::string& dir);

struct RunArgs {
  std::string package;
  std::string entry;
  std::vector<std::string> isolate;  // PREFIX=MODE
  std::vector<std::string> deny;     // permissions taken away (manifests/permissions.h names)
  std::vector<std::string> app_args;
  bool dry_run = false;
  bool temp = false;  // a throw-away sandbox, removed when the app exits
  bool json = false;  // with dry_run: the plan as JSON
  // The runtime stub: where namespaces are refused, hand the run over to the appv the
  // system installed, if any (launcher/hand_over.h).
  bool hand_over = false;
  std::string backend;  // --backend: "ns", "ptrace" or "" (appv chooses)
  // Where `package` came from when the user named an installed app's id
  // (launcher/installed_target.h): "user" (installed for you) or "system" (for every user);
  // printed by a dry run. "" for a file named on the command line.
  std::string installed;
  // The app's argv[0]; "" for the entry point's path. The stub run through a link
  // named after an entry point gives the link's name (busybox style).
  std::string argv0;
};
// The launch sequence shared by `appv run` and the runtime stub: returns only for a
// dry run; otherwise the process becomes the app or an appv::Error is thrown.
int cmd_run(const RunArgs& args);
// The same with `args.package` already opened (the stub reads its manifest first, to
// find the entry point a link's name asks for): the file is read once.
int cmd_run(const RunArgs& args, Package package);

// `appv sandbox ...` and `appv registry ...`: the per-user state of an app, by app id.
int cmd_sandbox_list(bool json = false);
int cmd_sandbox_path(const std::string& app);
int cmd_sandbox_diff(const std::string& app);
int cmd_sandbox_reset(const std::string& app, bool keep_config);
// Deletes the sandbox; Exit::Busy while the app runs, Exit::NoInput when there is none.
int cmd_sandbox_rm(const std::string& app);
int cmd_sandbox_export(const std::string& app, const std::string& file);
int cmd_sandbox_import(const std::string& app, const std::string& file, bool replace);
int cmd_registry_list(const std::string& app);
int cmd_registry_get(const std::string& app, const std::string& key);
int cmd_registry_set(const std::string& app, const std::string& key, const std::string& value);
int cmd_registry_reset(const std::string& app, const std::string& key);

// Signing: `appv keygen NAME [--dir D]`, `appv sign PKG --key KEY [--signer NAME]`.
int cmd_keygen(const std::string& name, const std::string& dir);
int cmd_sign(const std::string& package, const std::string& key, const std::string& signer);

int cmd_install(const std::string& package, bool system, const CommandRequest& commands);
// `delete_data`: the user's sandbox of the app goes too (refused while it runs).
int cmd_uninstall(const std::string& id, bool system, bool delete_data = false);
int cmd_list(bool system, bool json = false);

// `appv pack` and `appv capture` live in a module of their own (libappv-pack.so) so
// that every other command, `run` above all, starts without loading LIEF. The
// module's entry points report their own errors and return the exit status
// (launcher/module_loader.h).
using PackEntry = int (*)(const PackArgs& args);
using CaptureEntry = int (*)(const CaptureArgs& args);
inline constexpr const char* kPackEntrySymbol = "appv_pack_main";
inline constexpr const char* kCaptureEntrySymbol = "appv_capture_main";

// OCI registries (`appv push`, `pull`, `tags`, `run oci://REF`) and managed deployment
// (`appv sync --config FILE`, `update APP`, `rollback APP`) live in the distribution
// module (libappv-distribution.so), with libcurl: a launch of a local package loads
// neither.
struct OciArgs {
  std::string ca_file;
  bool insecure = false;
  std::string username;
  bool password_stdin = false;
  uint64_t limit_rate = 0;  // bytes per second
};

// The distribution module's entry points: one table, which the module's function
// kDistributionEntriesSymbol (a DistributionTable) returns. Each entry reports its
// own errors (on stderr, as report_errors does) and returns the exit status;
// `pull_for_run` sets `path` to the pulled package's path in the cache when it
// returns 0.
struct DistributionEntries {
  // -q: the module's own reporter (and its result lines) stay silent.
  void (*set_quiet)(bool quiet);
  int (*push)(const std::string& package, const std::string& reference, const OciArgs& args);
  int (*pull)(const std::string& reference, const std::string& output, bool force, const OciArgs& args);
  int (*tags)(const std::string& repository, const OciArgs& args, bool json);
  int (*pull_for_run)(const std::string& url, const OciArgs& args, std::string& path);
  int (*sync)(const std::string& config, bool system, bool dry_run, bool allow_mass_removal, const OciArgs& args);
  int (*update)(const std::string& id, bool system, const OciArgs& args);
  int (*rollback)(const std::string& id, bool system);
};
using DistributionTable = const DistributionEntries* (*)();
inline constexpr const char* kDistributionEntriesSymbol = "appv_distribution_entries";

}  // namespace appv::cli
