// Text for people and shells.
#pragma once

#include <string>

namespace appv {

// Quotes `s` for a POSIX shell when it needs quoting: 'it'\''s'. A string holding
// control bytes (a newline, an escape sequence) is written in bash's $'...' form with
// those bytes as \xNN, so printing it can neither fake lines nor drive the terminal.
std::string shell_quote(const std::string& s);

}  // namespace appv
