// File families: where one file a package holds implies others that another user's
// run will need although the captured run never opened them. A run in en_US.UTF-8
// imports Python's utf_8 codec, a user in C needs ascii; a run in xterm reads
// xterm's terminfo, a user in tmux needs tmux's; a run on X11 loads Qt's xcb plugin,
// a user on Wayland needs the wayland one. Capture brings such a family in whole once
// one of its members (or the library that reads it) is packed.
//
// The rules are data: the built-in table (families.cpp) plus the manifest's
// [capture.family.NAME] tables. Closure capture (`appv pack`) shares the table: the
// families every package needs (glibc's C.UTF-8 and basic charsets, Python's codecs,
// terminfo) come in there too, and for the rest it warns that the package lacks what
// the library reads at run time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifests/manifest.h"
#include "packager/closure.h"
#include "packager/file_set.h"

namespace appv {

struct FamilyRule {
  std::string name;  // printed in the report beside every file the rule brought in
  // Globs over packed paths. The part of a packed path that one matches (the path
  // itself, or the directory above it that the glob names) is the rule's anchor.
  std::vector<std::string> when;
  // Globs of the family's files: absolute, or relative to the anchor ("." is the
  // anchor's whole tree, "../gconv/UTF-16.so" a file beside the anchor's directory).
  std::vector<std::string> include;
  std::string what;      // the family in words, for closure capture's warning
  bool trace = true;     // trace capture brings it
  bool closure = false;  // closure capture brings it; else warns when none of it is packed
};

// The built-in families (glibc's C.UTF-8 and basic gconv modules, Python's encodings
// package, terminfo for the common terminals, the plugin directories of gdk-pixbuf,
// GIO, GTK input methods and Qt's platforms, and the run-time data closure capture
// only warns about), then the manifest's, which every capture brings.
std::vector<FamilyRule> family_rules(const Manifest& manifest);
const std::vector<FamilyRule>& builtin_families();

// One rule that applies to a file set: its anchor and its include globs made absolute.
struct FamilyMatch {
  const FamilyRule* rule;
  std::string anchor;
  std::vector<std::string> globs;
};

// Shortest prefix of `path` (at a '/' boundary, or the whole path) that `glob`
// matches, or "" if none does.
std::string family_anchor(const std::string& glob, const std::string& path);

// The rules that apply to `files`, one match per distinct set of absolute globs (the
// library and its soname link give one). Pure: no file system access.
std::vector<FamilyMatch> match_families(const std::vector<FamilyRule>& rules, const FileSet& files);

// "family Python's encodings package (for /usr/lib/python3.11/encodings)": the reason
// recorded for each file a family brought in.
std::string family_reason(const FamilyMatch& match);

enum class FamilyUse { Trace, Closure };

// Brings in the families `use` applies (rule.trace or rule.closure), with closures,
// until no new one matches; `skip(path)` leaves a path out (the noise rules, the
// manifest's excludes). For closure capture, a rule it does not bring adds a warning
// to `files` when none of its files is packed. Returns one line per family brought
// ("family NAME (for ANCHOR): N file(s)").
std::vector<std::string> bring_families(const std::vector<FamilyRule>& rules, FamilyUse use, ClosureResolver& resolver,
                                        FileSet& files, const std::function<bool(const std::string&)>& skip);

}  // namespace appv
