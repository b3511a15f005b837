// Text for people and shells.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appv {

// Quotes `s` for a POSIX shell when it needs quoting: 'it'\''s'. A string holding
// control bytes (a newline, an escape sequence) is written in bash's $'...' form with
// those bytes as \xNN, so printing it can neither fake lines nor drive the terminal.
std::string shell_quote(const std::string& s);

// Splits a command line into words the way a POSIX shell does for quoting alone:
// blanks separate words, '...' keeps everything, "..." keeps everything but \" \\ \$
// \` (unescaped), and a backslash outside quotes keeps the next character. Nothing
// is expanded (no $VAR, globs, ~, pipes or redirections: "sh -c '...'" does those).
// Throws Error(Exit::Usage) for an unterminated quote or a trailing backslash.
std::vector<std::string> shell_split(std::string_view line);

// `s` made safe to print on a terminal, for strings from a package, a manifest or a
// registry (names, versions, comments, paths, tags). Printable ASCII and well-formed
// UTF-8 pass through; everything that could drive the terminal or hide text is shown
// escaped, so the output is one line of inert text:
//   - C0 controls and DEL (ESC, BEL, CR, LF, TAB, ...) as \xNN  ("\x1b[31m")
//   - C1 controls U+0080..U+009F (0x9b is a CSI on some terminals) as \u0080..\u009f
//   - bidirectional overrides and isolates U+202A..U+202E, U+2066..U+2069 as \u202e
//   - bytes that are not well-formed UTF-8 (stray, truncated, overlong, surrogates,
//     beyond U+10FFFF) as \xNN, each byte
//   - a backslash as \\, so an escape in the output always came from escaping.
std::string printable(std::string_view s);
// The same for a message already composed of escaped parts (an error's text): leaves
// backslashes as they are, so an escape made earlier is not shown twice.
std::string printable_message(std::string_view s);

// True for a name a manifest can name and a terminal can print, as package entries
// must be: well-formed UTF-8 (no overlong forms, no surrogates, nothing beyond
// U+10FFFF) without C0 controls or DEL.
bool valid_utf8(std::string_view s);

// The candidate a mistyped `word` most likely meant, for "did you mean 'list'?": the
// one fewest edits away (insertions, deletions, substitutions, and swaps of two
// neighbouring characters count one each), if that is close enough to be a typo: one
// edit for words of up to 5 characters, two for longer ones. Failing that, the only
// candidate that `word` (2 characters or more) begins: "--man" -> "--manifest". Ties
// go to the earlier candidate. nullopt when nothing is close or `word` is a candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace appv
