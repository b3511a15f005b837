// Trace capture (`appv pack --trace`) and the packing half of install capture
// (`appv capture`): a file set from what a real run touched, or from what an installer
// wrote into a write-copy sandbox, filtered by the noise rules, with closures, written
// as a package, and a report of every decision.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifests/manifest.h"
#include "manifests/tokens.h"
#include "packager/capture_report.h"
#include "packager/pack.h"

namespace appv {

struct CaptureOptions {
  PackOptions pack;                 // pack.output may be "": then <app id>.appv in the working directory
  std::vector<std::string> command;  // the installer that ran (install capture)
  // Trace capture: the commands to trace, one run each, before the manifest's
  // [capture] runs; each starts in a fresh profile (packager/trace_profile.h) unless
  // keep_profile.
  std::vector<std::vector<std::string>> runs;
  bool keep_profile = false;
  std::optional<Manifest> manifest;  // entry points, includes, [capture] rules
  std::string app_version;           // without a manifest
  std::string app_id;                // without a manifest; "" for the first program's name
  std::string report_json;           // "" for none
  bool allow_failure = false;        // pack even if the command failed
  Tokens user;                       // HOME, XDG_* of the user running the capture
  std::string cwd;
};

struct CaptureOutcome {
  int status = 0;  // the traced command's or installer's exit status
  CaptureReport report;
  std::optional<PackSummary> summary;  // nullopt when no package was written
  std::string report_path;             // where the text report went
};

// Traces each run (packager/tracer.h) and packs what they used, with the file
// families those files imply (packager/families.h). Throws appv::Error (Exit::Usage
// when there is no run); a failing run gives a report and no package unless
// allow_failure.
CaptureOutcome trace_pack(const CaptureOptions& options);

// Packs what an installer left in `upper` (an overlay upper directory whose paths are
// virtual paths) after exiting with `status`. New executables in bin/ and sbin/
// directories and programs named by new .desktop files become entry points unless the
// manifest names them.
CaptureOutcome pack_installed(const std::string& upper, int status, const CaptureOptions& options);

}  // namespace appv
