// Text helpers for what the command line prints.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/human_bytes.h"
#include "base/text.h"

namespace appv::cli {


// The path of the running executable (readlink /proc/self/exe).
std::string self_exe();
// The working directory, or "/" if it cannot be named.
std::string current_dir();

// Runs a command body and turns what it throws into the one place errors become
// text: "appv: <message>" on stderr, and the error's exit status.
int report_errors(const std::function<int()>& body);

}  // namespace appv::cli
