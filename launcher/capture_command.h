// `appv pack --trace` and `appv capture`, inside the pack module.
#pragma once

#include <chrono>

#include "launcher/commands.h"
#include "packager/pack.h"

namespace appv::cli {

using Clock = std::chrono::steady_clock;

// `report_only`: write the capture report, no package (captures only).
PackOptions pack_options(const PackOutputArgs& args, bool report_only);
void print_summary(const PackSummary& summary, const std::string& output, bool quiet, Clock::time_point started);

// Runs the capture `args` asks for; returns the traced command's or installer's status.
int run_capture(const CaptureArgs& args, const PackOptions& options, Clock::time_point started);

}  // namespace appv::cli
