// `appv pack` and `appv capture`: their options, here in appv; their bodies in the
// pack module (libappv-pack.so), loaded only when one of them runs (see commands.h).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "launcher/command_line.h"
#include "launcher/module_loader.h"
#include "launcher/reporter.h"

namespace appv::cli {
namespace {

void* pack_module_entry(const char* symbol) { return module_symbol("libappv-pack.so", "the packer module", symbol); }

int run_pack(const PackArgs& args) { return reinterpret_cast<PackEntry>(pack_module_entry(kPackEntrySymbol))(args); }
int run_capture(const CaptureArgs& args) {
  return reinterpret_cast<CaptureEntry>(pack_module_entry(kCaptureEntrySymbol))(args);
}

// What `appv pack` parses: closure packing, or with --trace, trace capture.
struct PackCommandLine {
  PackArgs pack;
  bool trace = false;
  std::vector<std::string> trace_runs;
  bool keep_profile = false;
  std::string report_json;
  bool allow_failure = false;
  bool report_only = false;
  const CLI::Option* exe_flag = nullptr;
};

int pack_action(PackCommandLine& line) {
  PackArgs& pack = line.pack;
  pack.out.exe_explicit = line.exe_flag->count() > 0 && pack.out.exe;
  pack.out.quiet = quiet();
  if (line.trace || !line.trace_runs.empty()) {
    CaptureArgs capture;
    capture.kind = CaptureArgs::Kind::Trace;
    capture.command = pack.programs;
    capture.trace_runs = line.trace_runs;
    capture.keep_profile = line.keep_profile;
    capture.manifest = pack.manifest;
    capture.app_id = pack.app_id;
    capture.app_version = pack.app_version;
    capture.report_json = line.report_json;
    capture.allow_failure = line.allow_failure;
    capture.report_only = line.report_only;
    capture.out = pack.out;
    return run_capture(capture);
  }
  if (!line.report_json.empty() || line.allow_failure || line.report_only || line.keep_profile) {
    throw Error(Exit::Usage, "--report-json, --report-only, --allow-failure and --trace-keep-profile need --trace");
  }
  return run_pack(pack);
}

}  // namespace

void add_pack_commands(CLI::App& app, Commands& out) {
  auto line = std::make_shared<PackCommandLine>();
  PackArgs& pack = line->pack;
  CLI::App* pack_cmd = app.add_subcommand("pack", "Capture programs (closure) and manifest includes into a package");
  pack_cmd->add_option("programs", pack.programs, "Programs to pack (path, or name on PATH) when no manifest is given")
      ->type_name("COMMAND");
  pack_cmd->add_option("-m,--manifest", pack.manifest, "Manifest (TOML) describing the package")->check(CLI::ExistingFile);
  pack_cmd->add_option("-o,--output", pack.out.output, "Package file to write (default: <app id>.appv here)")->type_name("FILE");
  pack_cmd->add_option("--id", pack.app_id, "App id when no manifest is given (default: the first program's name)")->type_name("ID");
  pack_cmd->add_option("--version,--app-version", pack.app_version, "Version recorded when no manifest is given (default: 0)")
      ->type_name("VERSION");
  pack_cmd->add_flag("--strict", pack.out.strict, "Fail if any needed library cannot be found");
  pack_cmd->add_option("--level", pack.out.level, "zstd compression level, 1 to 19")->check(CLI::Range(1, 19))->capture_default_str();
  add_quiet_flag(*pack_cmd);
  line->exe_flag = pack_cmd->add_flag("--exe,!--no-exe", pack.out.exe,
                                      "Put the runtime stub in front so the package runs by itself (default: on)");
  pack_cmd->add_flag("--trace", line->trace, "Trace capture: run the command given after -- and pack every file it uses");
  pack_cmd->add_option("--trace-run", line->trace_runs,
                       "Trace this command too (a shell-quoted line, not expanded); repeat for more runs; implies --trace")
      ->allow_extra_args(false);
  pack_cmd->add_flag("--trace-keep-profile", line->keep_profile,
                     "With --trace: run in your own HOME and XDG directories, not a fresh empty profile");
  pack_cmd->add_option("--report-json", line->report_json, "With --trace: also write the capture report as JSON here")->type_name("FILE");
  pack_cmd->add_flag("--allow-failure", line->allow_failure, "With --trace: pack even if the traced command fails");
  pack_cmd->add_flag("--report-only", line->report_only, "With --trace: write the report of what would be packed, no package");
  pack_cmd->footer("Usage: appv pack PROGRAM... [--id ID] [--version V] [-o OUT] | appv pack -m MANIFEST [-o OUT]\n"
                   "       appv pack --trace [-o OUT] [-m M] -- CMD [ARGS...]\n"
                   "       appv pack --trace -o OUT --trace-run 'CMD ARGS' --trace-run 'CMD OTHER-ARGS' (one package, several runs)\n"
                   "Reproducible: the same inputs give the same bytes; SOURCE_DATE_EPOCH sets every entry's time.\n"
                   "Trace capture runs each command in a fresh, empty profile (HOME and XDG_CONFIG/DATA/CACHE/STATE_HOME in a\n"
                   "new temporary directory), as a new user's first run; what it writes there is dropped. It also packs the\n"
                   "families the used files imply (Python's codecs, glibc's C.UTF-8 and charsets, terminfo, GTK and Qt plugins).\n"
                   "It writes OUT.report.txt: every file with why it was packed (and which run used it), every path left out and why.");
  out.add(pack_cmd, [line] { return pack_action(*line); });

  struct CaptureCommandLine {
    CaptureArgs capture;
    const CLI::Option* exe_flag = nullptr;
  };
  auto cap = std::make_shared<CaptureCommandLine>();
  CaptureArgs& capture = cap->capture;
  capture.kind = CaptureArgs::Kind::Install;
  CLI::App* capture_cmd = app.add_subcommand("capture", "Install capture: run an installer in a write-copy view and pack what it wrote");
  capture_cmd->add_option("installer", capture.command, "The installer and its arguments, after --")->required()->type_name("COMMAND");
  capture_cmd->add_option("-m,--manifest", capture.manifest, "Manifest naming entry points, includes and [capture] rules")->check(CLI::ExistingFile);
  capture_cmd->add_option("-o,--output", capture.out.output, "Package file to write (default: <app id>.appv)")->type_name("FILE");
  capture_cmd->add_option("--id", capture.app_id, "App id when no manifest is given (default: the first new program's name)")->type_name("ID");
  capture_cmd->add_option("--version,--app-version", capture.app_version, "Version recorded when no manifest is given (default: 0)")
      ->type_name("VERSION");
  capture_cmd->add_option("--report-json", capture.report_json, "Also write the capture report as JSON here")->type_name("FILE");
  capture_cmd->add_flag("--allow-failure", capture.allow_failure, "Pack even if the installer fails");
  capture_cmd->add_flag("--report-only", capture.report_only, "Write the report of what would be packed, no package");
  capture_cmd->add_flag("--strict", capture.out.strict, "Fail if any needed library cannot be found");
  add_quiet_flag(*capture_cmd);
  cap->exe_flag = capture_cmd->add_flag("--exe,!--no-exe", capture.out.exe, "Put the runtime stub in front (default: on)");
  capture_cmd->footer("Usage: appv capture [OPTIONS] -- INSTALLER [ARGS...]   e.g. appv capture -- dpkg -i tool.deb\n"
                      "The host is left exactly as it was; the package holds what the installer added or changed.\n"
                      "New programs in bin/ and sbin/ and programs of new .desktop files become entry points.");
  out.add(capture_cmd, [cap] {
    cap->capture.out.exe_explicit = cap->exe_flag->count() > 0 && cap->capture.out.exe;
    cap->capture.out.quiet = quiet();
    return run_capture(cap->capture);
  });
}

}  // namespace appv::cli
