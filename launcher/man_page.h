// appv's man pages in roff, generated from the command tree (cli_model.h): appv(1),
// and one page per command, appv-pack(1), appv-sandbox(1), ..., a command's
// subcommands in its page (as git-remote(1) does). Every page ends with the exit
// statuses (exit_statuses.h) and points back to appv(1).
#pragma once

#include <string>
#include <vector>

#include "launcher/cli_model.h"

namespace appv::cli {

struct ManPage {
  std::string file_name;  // "appv-pack.1"
  std::string roff;
};

// `version` goes in the footer ("appv 0.1.0"); `date` (YYYY-MM-DD, or empty: none)
// in the header, so that two builds of the same sources give the same pages.
std::vector<ManPage> man_pages(const CommandDoc& root, const std::string& version, const std::string& date);

// `text` for a roff text line: backslashes escaped, the dashes of option-like words
// (--output, -m) made minus signs so they can be typed as read, and a leading "." or
// "'" kept from being taken for a request. Newlines are kept.
std::string roff_escape(const std::string& text);

}  // namespace appv::cli
