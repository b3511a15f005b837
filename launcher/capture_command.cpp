#include "launcher/capture_command.h"

#include <unistd.h>

#include <climits>
#include <cstdio>

#include <fmt/format.h>

#include "launcher/format.h"
#include "base/error.h"
#include "base/text.h"
#include "packager/capture.h"
#include "packager/closure.h"
#include "launch/launch_plan.h"
#include "launcher/host_inputs.h"
#include "redirect/apply.h"
#include "redirect/child.h"
#include "base/fs_util.h"
#include "vfs/layout.h"
#include "vfs/sandbox.h"
#include "vfs/view.h"
#include "vfs/work_dirs.h"
#include "launcher/reporter.h"

namespace appv::cli {
namespace {

// The installer's launch: the whole host in writecopy but the kernel's trees (the
// planner's InstallCapture view), in a sandbox of its own that the capture reads.
LaunchPlan installer_plan(const std::vector<std::string>& command) {
  LaunchInputs in = host_launch_inputs();
  in.kind = LaunchKind::InstallCapture;
  in.args = command;
  const char* path_env = std::getenv("PATH");
  in.program = command[0].find('/') != std::string::npos ? command[0] : find_executable(command[0], path_env ? path_env : kSystemPath);
  if (in.program.empty()) throw Error(Exit::NotFound, fmt::format("installer '{}' not found on PATH", command[0]));
  return plan_launch(in, host_tree(in), MemoryTree());
}

}  // namespace

int run_capture(const CaptureArgs& args, const PackOptions& options, Clock::time_point started) {
  const bool trace = args.kind == CaptureArgs::Kind::Trace;
  if (!trace && args.command.empty()) throw Error(Exit::Usage, "capture: give the installer to run after --");
  CaptureOptions capture;
  capture.pack = options;
  capture.command = args.command;
  if (trace) {
    if (!args.command.empty()) capture.runs.push_back(args.command);
    for (const std::string& line : args.trace_runs) {
      std::vector<std::string> words = shell_split(line);
      if (words.empty()) throw Error(Exit::Usage, "--trace-run: an empty command");
      capture.runs.push_back(std::move(words));
    }
    capture.keep_profile = args.keep_profile;
  }
  if (!args.manifest.empty()) capture.manifest = load_manifest(args.manifest);
  capture.app_version = args.app_version;
  capture.app_id = args.app_id;
  capture.report_json = args.report_json;
  capture.allow_failure = args.allow_failure;
  capture.user = user_tokens();
  capture.cwd = current_dir();

  CaptureOutcome out;
  if (trace) {
    out = trace_pack(capture);
  } else {
    const LaunchPlan plan = installer_plan(args.command);
    try {
      if (options.progress) options.progress(fmt::format("running the installer in a write-copy view: {}", fmt::join(args.command, " ")));
      const int status = apply_in_child(plan, stderr_reporter());
      out = pack_installed(layout::upper(plan.sandbox), shell_status(status), capture);
    } catch (...) {
      remove_work_dir(plan.sandbox, stderr_reporter());
      throw;
    }
    remove_work_dir(plan.sandbox, stderr_reporter());
  }
  if (out.summary) print_summary(*out.summary, out.report.package, args.out.quiet, started);
  else if (!args.report_only) std::fprintf(stderr, "appv: no package written: %s\n", out.report.why_no_package.c_str());
  if (!args.out.quiet || !out.summary) std::fprintf(stderr, "appv: capture report: %s\n", out.report_path.c_str());
  return out.status;
}

}  // namespace appv::cli
