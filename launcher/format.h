// Text helpers for what the command line prints.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/human_bytes.h"
#include "base/text.h"

namespace appv::cli {


// The path of the running executable (readlink /proc/self/exe).
std::string self_exe();
// The working directory, or "/" if it cannot be named.
std::string current_dir();

// Rows as aligned columns, two spaces apart, the last column unpadded, one line each
// (the first row is the header). Widths count characters, not bytes.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

// Runs a command body and turns what it throws into the one place errors become
// text: "appv: <message>" on stderr, and the error's exit status.
int report_errors(const std::function<int()>& body);

}  // namespace appv::cli
