// appv's exit statuses as the user reads them: one table, shown by `appv --help` and
// in every man page's EXIT STATUS section (the README's table says more per status).
#pragma once

#include <span>
#include <string>

namespace appv::cli {

struct ExitStatusDoc {
  int status;
  const char* meaning;  // one line, no final period
};

// Every status appv itself returns, in increasing order (base/error.h's Exit).
std::span<const ExitStatusDoc> exit_statuses();

// "Exit status:\n  0    success; ...\n  1    ...\n": the --help footer.
std::string exit_status_text();

}  // namespace appv::cli
