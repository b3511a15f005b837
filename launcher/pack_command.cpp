// The pack module (libappv-pack.so): `appv pack`, `appv pack --trace` and
// `appv capture`, the commands that need LIEF.
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "launcher/capture_command.h"
#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/reporter.h"
#include "base/error.h"
#include "base/fatal_signal_cleanup.h"
#include "packager/pack.h"

namespace appv::cli {
namespace {

// The runtime stub: $APPV_STUB, else appv-stub beside this executable (build tree),
// else ../lib/appv/appv-stub (an installed layout). "" when there is none.
std::string find_stub() {
  if (const char* env = std::getenv("APPV_STUB"); env && *env) return env;
  std::string self = self_exe();
  std::string dir = self.substr(0, self.find_last_of('/'));
  for (const std::string& candidate : {dir + "/appv-stub", dir + "/../lib/appv/appv-stub"}) {
    if (::access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace

PackOptions pack_options(const PackOutputArgs& args, bool report_only) {
  PackOptions options;
  options.output = args.output;
  options.strict = args.strict;
  options.source_date_epoch = source_date_epoch();
  options.compression_level = args.level;
  options.report_only = report_only;
  if (args.exe) {
    options.stub = find_stub();
    if (options.stub.empty()) {
      if (args.exe_explicit) throw Error(Exit::NoInput, "--exe: the runtime stub appv-stub was not found beside appv (set APPV_STUB)");
      std::fprintf(stderr, "appv: warning: runtime stub not found; writing a package that runs with 'appv run' only\n");
    }
  }
  stderr_reporter().set_quiet(args.quiet);
  if (!args.quiet) options.progress = [](const std::string& line) { std::fprintf(stderr, "appv: %s\n", line.c_str()); };
  options.reporter = &stderr_reporter();
  return options;
}

void print_summary(const PackSummary& s, const std::string& output, bool quiet, Clock::time_point started) {
  for (const std::string& w : s.warnings) std::fprintf(stderr, "appv: warning: %s\n", w.c_str());
  for (const std::string& u : s.unresolved) std::fprintf(stderr, "appv: warning: not found: %s\n", u.c_str());
  if (!quiet) {
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::fprintf(stderr, "appv: wrote %s: %s (%zu entries, %s unpacked%s) in %.2f s\n", output.c_str(),
                 human_bytes(s.package_bytes).c_str(), s.entries, human_bytes(s.unpacked_bytes).c_str(),
                 s.excluded ? fmt::format(", {} excluded", s.excluded).c_str() : "", seconds);
  }
}

int cmd_pack(const PackArgs& args) {
  install_fatal_signal_cleanup();  // Ctrl-C leaves no half-written package beside the output
  const auto started = Clock::now();
  Manifest manifest;
  if (!args.manifest.empty()) {
    if (!args.programs.empty()) throw Error(Exit::Usage, "give either programs or --manifest, not both");
    if (!args.app_id.empty() || !args.app_version.empty()) {
      throw Error(Exit::Usage, "--id and --version are for packing without a manifest: the manifest names both");
    }
    manifest = load_manifest(args.manifest);
  } else {
    manifest = manifest_for_programs(args.programs, args.app_version, args.app_id);
  }
  // As trace and install capture do: <app id>.appv in the working directory.
  PackOutputArgs out = args.out;
  if (out.output.empty()) out.output = manifest.id + ".appv";
  PackSummary s = pack(manifest, pack_options(out, /*report_only=*/false));
  print_summary(s, out.output, out.quiet, started);
  return 0;
}

int cmd_capture(const CaptureArgs& args) {
  install_fatal_signal_cleanup();
  const auto started = Clock::now();
  return run_capture(args, pack_options(args.out, args.report_only), started);
}

}  // namespace appv::cli

extern "C" __attribute__((visibility("default"))) int appv_pack_main(const appv::cli::PackArgs& args) {
  return appv::cli::report_errors([&] { return appv::cli::cmd_pack(args); });
}

extern "C" __attribute__((visibility("default"))) int appv_capture_main(const appv::cli::CaptureArgs& args) {
  return appv::cli::report_errors([&] { return appv::cli::cmd_capture(args); });
}
