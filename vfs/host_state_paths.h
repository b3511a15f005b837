// The paths of the host state (DESIGN.md): what describes the machine that runs an
// app, never a package nor a sandbox. launch/host_state.h shows the host's at each
// of them in the view; `sandbox diff` does not count what appv placed there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace appv {

struct HostStatePath {
  std::string_view path;
  enum class Kind { File, Dir, MountTable } kind;
  std::string_view what;  // for --dry-run: "users", "time zone", ...
  // Where the host has none, the package's copy is covered by an empty one (it
  // describes another machine). Not for OpenSSL's directory, whose links into
  // /etc/ssl lead to the host's store wherever a host keeps one.
  bool cover_when_absent = true;
};

// Every path, in the order the plan shows them.
const std::vector<HostStatePath>& host_state_paths();

// The table's entry for `path` (virtual, clean, absolute), or null.
const HostStatePath* host_state_path(const std::string& path);
// True if one of them lies strictly below the directory `dir`.
bool leads_to_host_state(const std::string& dir);

}  // namespace appv
