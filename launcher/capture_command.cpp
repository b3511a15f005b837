#include "launcher/capture_command.h"

#include <unistd.h>

#include <climits>
#include <cstdio>

#include <fmt/format.h>

#include "launcher/format.h"
#include "base/error.h"
#include "packager/capture.h"
#include "packager/closure.h"
#include "redirect/child.h"
#include "redirect/exec.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "base/fs_util.h"
#include "vfs/sandbox.h"
#include "vfs/view.h"

extern char** environ;

namespace appv::cli {
namespace {

// The whole host in writecopy, but the kernel's trees: what the installer writes,
// changes or deletes lands in `sandbox`'s upper directory and the host keeps its bytes.
Plan installer_view(const std::string& sandbox, const std::string& sandboxes) {
  RuleSet rules;
  rules.set("/", Isolation::WriteCopy, "install capture");
  for (const char* p : {"/proc", "/dev", "/sys", "/run"}) rules.set(p, Isolation::Host, "install capture");
  const Layout layout{sandbox + "/no-package", sandbox, {sandboxes}, locked_mount_points()};
  return make_plan(rules, DiskTree("/"), MemoryTree(), layout);
}

// Runs the installer in the view; returns its wait status.
int run_installer(const std::vector<std::string>& command, const std::string& sandbox, const std::string& cwd) {
  const std::string sandboxes = sandboxes_root();
  Plan plan = installer_view(sandbox, sandboxes);
  make_plan_dirs(sandbox, plan.dirs_to_create, "");
  const char* path_env = std::getenv("PATH");
  std::string program = command[0].find('/') != std::string::npos ? command[0] : find_executable(command[0], path_env ? path_env : kSystemPath);
  if (program.empty()) throw Error(Exit::NotFound, fmt::format("installer '{}' not found on PATH", command[0]));
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return run_child([&] {
    return report_errors([&] {
      NamespaceState ns = enter_namespaces();
      enter_view(plan, ns);
      exec_entry(program, command, env, cwd);
      return 0;
    });
  });
}

}  // namespace

int run_capture(const CaptureArgs& args, const PackOptions& options, Clock::time_point started) {
  const bool trace = args.kind == CaptureArgs::Kind::Trace;
  if (args.command.empty()) {
    throw Error(Exit::Usage, trace ? "pack --trace: give the command to trace after --"
                                        : "capture: give the installer to run after --");
  }
  CaptureOptions capture;
  capture.pack = options;
  capture.command = args.command;
  if (!args.manifest.empty()) capture.manifest = load_manifest(args.manifest);
  capture.app_version = args.app_version;
  capture.report_json = args.report_json;
  capture.allow_failure = args.allow_failure;
  capture.user = user_tokens();
  capture.cwd = current_dir();

  CaptureOutcome out;
  if (trace) {
    out = trace_pack(capture);
  } else {
    const std::string sandboxes = sandboxes_root();
    make_dirs(sandboxes, 0700);
    remove_stale_work_dirs(sandboxes);
    const std::string sandbox = fmt::format("{}/.capture-{}", sandboxes, ::getpid());
    make_dirs(sandbox, 0700);
    try {
      if (options.progress) options.progress(fmt::format("running the installer in a write-copy view: {}", fmt::join(args.command, " ")));
      const int status = run_installer(args.command, sandbox, capture.cwd);
      out = pack_installed(sandbox + "/upper", shell_status(status), capture);
    } catch (...) {
      remove_tree(sandbox);
      throw;
    }
    remove_tree(sandbox);
  }
  if (out.summary) print_summary(*out.summary, out.report.package, args.out.quiet, started);
  else if (!args.report_only) std::fprintf(stderr, "appv: no package written: %s\n", out.report.why_no_package.c_str());
  if (!args.out.quiet || !out.summary) std::fprintf(stderr, "appv: capture report: %s\n", out.report_path.c_str());
  return out.status;
}

}  // namespace appv::cli
