// The manifest: what a package is, how to start it and how to view the host.
// Pure data plus a parser and a writer; no process or mount code here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifests/desktop.h"
#include "manifests/permissions.h"
#include "manifests/registry.h"

namespace appv {

// How a path prefix of the host is seen by the app (DESIGN.md, "Isolation modes").
// `host` is the pass-through used for /proc, /dev, /sys and /run.
enum class Isolation { Host, Merged, WriteCopy, Full };

std::optional<Isolation> parse_isolation(std::string_view text);
const char* to_string(Isolation mode);

struct EntryPoint {
  std::string path;               // absolute virtual path of the program
  std::vector<std::string> args;  // prepended to the user's arguments
  // [entry.NAME.desktop]: this entry point gets a menu entry (manifests/desktop_entries.h).
  std::optional<Desktop> desktop = std::nullopt;
};

struct Environment {
  std::map<std::string, std::string> set;
  std::map<std::string, std::string> prepend;  // PATH-like lists, ':'-separated
  std::map<std::string, std::string> append;
  std::vector<std::string> unset;
  bool clean = false;  // start from a minimal environment instead of the host's
};

// A file family of the manifest's own (packager/families.h): once a packed path
// matches a `when` glob, the `include` globs (absolute, or relative to the part of the
// path that matched) come into the package too.
struct CaptureFamily {
  std::vector<std::string> when;
  std::vector<std::string> include;
};

// Trace and install capture: globs (tokens allowed) that override the built-in noise
// rules: `allow` keeps paths they would drop (not secrets), `deny` drops more.
// `families` ([capture.family.NAME]) extend the built-in file families, for every
// capture; `runs` are commands trace capture runs, each in a fresh profile, after
// the command line's.
struct CaptureRules {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  std::map<std::string, CaptureFamily> families;
  std::vector<std::vector<std::string>> runs;
};

struct Manifest {
  std::string id;  // reverse-DNS or a plain word: [A-Za-z0-9._-]+
  std::string name;
  std::string version;
  std::string default_entry;  // a key of `entries`
  std::map<std::string, EntryPoint> entries;
  std::vector<std::string> include;  // globs over virtual paths
  std::vector<std::string> exclude;
  // Host paths the app must not see (an installer deleted them): whiteouts in the
  // package's layer, created at extraction. Absolute, at least two components deep.
  std::vector<std::string> hide;
  // Prefix -> mode. A prefix may start with "~" or use $HOME and $XDG_* tokens
  // (manifests/tokens.h); they are expanded for the running user.
  std::map<std::string, Isolation> isolation;
  Environment env;  // values may use the same tokens plus ${APPV_ROOT} and ${APPV_APP_ID}
  std::map<std::string, RegistryValue> registry;  // GSettings defaults: dconf key -> value
  CaptureRules capture;
  Permissions permissions;  // [permissions] (manifests/permissions.h); defaults when absent
  std::optional<Desktop> desktop;  // [desktop]: the default entry point's menu entry

  const EntryPoint& entry(const std::string& name) const;  // throws Exit::Usage
};

// Parses TOML text; `origin` names it in errors ("file.toml:3:7: ...").
// Every unknown key, wrong type and invalid value is an Exit::BadInput error.
Manifest parse_manifest(std::string_view text, const std::string& origin);
Manifest load_manifest(const std::string& path);

// Canonical TOML text: keys sorted, so equal manifests give equal bytes.
std::string write_manifest(const Manifest& manifest);

// Checks the semantic rules that TOML types cannot express. Called by the parser;
// call it again after changing a manifest in code.
void validate_manifest(const Manifest& manifest, const std::string& origin);

bool valid_app_id(std::string_view id);

}  // namespace appv
