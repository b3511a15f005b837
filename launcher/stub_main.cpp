// The runtime stub: the front of a self-executing package. It runs the package it is
// part of, so `./jq.appv .a` is `appv run jq.appv .a`. Linked statically: it needs
// nothing on the host but the kernel.
//
// Leading arguments --appv-* are the stub's own; everything else goes to the app.
// Started through a link whose name is one of the package's entry points, it runs
// that entry point with the link's name as argv[0] (launcher/invoked_name.h).
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "launcher/commands.h"
#include "launcher/format.h"
#include "launcher/invoked_name.h"
#include "launcher/reporter.h"
#include "vfs/package.h"
#include "base/error.h"
#include "base/heap_prefault.h"
#include "base/text.h"

namespace {

constexpr const char* kHelp =
    "This file is an appv package that runs by itself: %s [ARGS...] runs its app with ARGS.\n"
    "Leading options for the package itself (everything else goes to the app):\n"
    "  --appv-help             this text\n"
    "  --appv-info             identity, entry points, sizes, digests\n"
    "  --appv-ls               the files inside\n"
    "  --appv-verify           check every digest and entry\n"
    "  --appv-extract DIR      extract the files into a new directory\n"
    "  --appv-entry NAME       run another entry point\n"
    "  --appv-isolate P=MODE   isolation rule, as appv run --isolate (repeatable)\n"
    "  --appv-dry-run          print the launch plan instead of running\n"
    "  --appv-json             with --appv-dry-run: the plan as JSON (appv run --dry-run --json)\n"
    "  --appv-temp             throw-away sandbox: discard every change at exit\n"
    "  --appv-backend NAME     ns (namespaces, the default) or ptrace (no namespaces needed)\n"
    "  --appv-quiet            no progress line on the first run, no notices\n"
    "Started through a link named after an entry point (appv install --command NAME), it runs that entry.\n"
    "Where this host refuses user namespaces, the run is handed to the installed /usr/bin/appv, if any.\n"
    "Exit status: the app's own; 64 bad usage, 65 bad package, 69 host unsupported, 77 refused by policy.\n";

// The options above, for "did you mean" when one is mistyped.
const std::vector<std::string> kOptions{"--appv-help",    "--appv-info",    "--appv-ls",      "--appv-verify",
                                        "--appv-extract", "--appv-entry",   "--appv-isolate", "--appv-dry-run",
                                        "--appv-json",    "--appv-temp",    "--appv-backend", "--appv-quiet"};

[[noreturn]] void unknown_option(std::string_view option) {
  const std::optional<std::string> near = appv::closest_match(option, kOptions);
  throw appv::Error(appv::Exit::Usage, "unknown option '" + std::string(option) + "'" +
                                           (near ? "; did you mean '" + *near + "'?" : "") + " (see --appv-help)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace appv;
  // What a launch's plan and supervisor write, at once (base/heap_prefault.h).
  prefault_heap(size_t{384} << 10);
  return cli::report_errors([&]() -> int {
    cli::RunArgs run;
    run.package = cli::self_exe();
    run.hand_over = true;
    int i = 1;
    auto value = [&](std::string_view flag) -> std::string {
      if (i + 1 >= argc) throw Error(Exit::Usage, std::string(flag) + " needs a value");
      return argv[++i];
    };
    for (; i < argc; ++i) {
      std::string_view a = argv[i];
      if (a.substr(0, 7) != "--appv-") break;
      if (a == "--appv-help") {
        std::printf(kHelp, argv[0]);
        return 0;
      }
      if (a == "--appv-info") return cli::cmd_info(run.package);
      if (a == "--appv-ls") return cli::cmd_ls(run.package, true);
      if (a == "--appv-verify") return cli::cmd_verify(run.package);
      if (a == "--appv-extract") return cli::cmd_extract(run.package, value(a));
      if (a == "--appv-entry") run.entry = value(a);
      else if (a == "--appv-isolate") run.isolate.push_back(value(a));
      else if (a == "--appv-dry-run") run.dry_run = true;
      else if (a == "--appv-json") run.json = true;
      else if (a == "--appv-temp") run.temp = true;
      else if (a == "--appv-backend") run.backend = value(a);
      else if (a == "--appv-quiet") cli::stderr_reporter().set_quiet(true);
      else unknown_option(a);
    }
    if (run.json && !run.dry_run) throw Error(Exit::Usage, "--appv-json goes with --appv-dry-run (see --appv-help)");
    run.app_args.assign(argv + i, argv + argc);
    // Started through a link named after an entry point: that entry, under that name.
    Package package = Package::open(run.package);
    if (run.entry.empty()) {
      if (std::optional<std::string> entry = cli::entry_named_by(argv[0], package.manifest())) {
        run.entry = *entry;
        run.argv0 = argv[0];
      }
    }
    return cli::cmd_run(run, std::move(package));
  });
}
