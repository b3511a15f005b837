// Lexical helpers for virtual paths and globs. Pure string work, no file system.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace appv {

// "/a/b" with no ".", "..", "//" or trailing "/" ("/" itself is clean).
bool is_clean_absolute(std::string_view path);

// Lexically normalises an absolute path: collapses "//" and ".", resolves ".." (never
// above "/"). Relative input is treated as relative to "/".
std::string normalize_absolute(std::string_view path);

// True if `path` equals `prefix` or lies below it ("/usr" covers "/usr/bin", not "/usrx").
bool path_has_prefix(std::string_view path, std::string_view prefix);

// Glob over a virtual path: '*' and '?' stop at '/', '**' crosses directories,
// '[...]' is a character class ("[!...]" negates). A pattern that matches a directory
// also matches everything below it, so "/usr/lib/python3.11" includes its whole tree
// and "/**/__pycache__" excludes every __pycache__ directory's contents.
bool glob_match(std::string_view pattern, std::string_view path);
bool has_wildcard(std::string_view pattern);

bool valid_env_name(std::string_view name);

// The non-empty fields of `text` split at `sep`: path components ('/') or the
// entries of a search list such as PATH or DT_RUNPATH (':').
std::vector<std::string> split_nonempty(std::string_view text, char sep);

}  // namespace appv
