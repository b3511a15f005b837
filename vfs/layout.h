// Where appv keeps things on disk, named once. Every file that builds a path inside a
// sandbox, the sandboxes directory or the cache uses these, so the layout can be read
// (and changed) here. Pure string functions; nothing here touches the file system.
//
// A sandbox (vfs/sandbox.h), <sandboxes>/<app-id>/:
//   upper/      the overlay upper layer: what the app created, changed or deleted
//   work/       overlayfs scratch space
//   state       the last launch (package digest, id, version, `full` prefixes)
//   .instance   the running instance, for later launches to join
//   .lock       serialises launches, resets and imports
//   .host/      files appv generates for the view's host state (launch/host_state.h)
// Beside the sandboxes, transient ones: .temp-<app-id>-<pid> (run --temp),
// .capture-<pid> (install capture), .import-<app-id>-<pid> and .replaced-<app-id>-<pid>
// (sandbox import and rm), and .unremovable-<one of those> (its removal failed once and
// was reported; vfs/work_dirs.h).
//
// The cache (vfs/cache.h), <cache>/:
//   <digest>/root          a package's tree at virtual paths
//   <digest>/.appv/tree    what each entry of root/ is (vfs/tree_index.h)
//   <digest>.lock          serialises extractions of one package
//   .tmp-<digest>-XXXXXX   an extraction in progress (or interrupted)
#pragma once

#include <string>
#include <string_view>

namespace appv::layout {

inline constexpr std::string_view kUpper = "upper";
inline constexpr std::string_view kWork = "work";
inline constexpr std::string_view kState = "state";
inline constexpr std::string_view kInstance = ".instance";
inline constexpr std::string_view kLock = ".lock";
inline constexpr std::string_view kInUse = ".in-use";
inline constexpr std::string_view kHostState = ".host";
inline constexpr std::string_view kTempSandboxPrefix = ".temp-";
inline constexpr std::string_view kCaptureSandboxPrefix = ".capture-";
inline constexpr std::string_view kImportSandboxPrefix = ".import-";
inline constexpr std::string_view kReplacedSandboxPrefix = ".replaced-";
inline constexpr std::string_view kUnremovablePrefix = ".unremovable-";
inline constexpr std::string_view kCacheTempPrefix = ".tmp-";

inline std::string join(const std::string& dir, std::string_view name) { return dir + "/" + std::string(name); }

inline std::string upper(const std::string& sandbox) { return join(sandbox, kUpper); }
inline std::string work(const std::string& sandbox) { return join(sandbox, kWork); }
inline std::string state(const std::string& sandbox) { return join(sandbox, kState); }
inline std::string instance(const std::string& sandbox) { return join(sandbox, kInstance); }
inline std::string sandbox_lock(const std::string& sandbox) { return join(sandbox, kLock); }
inline std::string sandbox_in_use(const std::string& sandbox) { return join(sandbox, kInUse); }
inline std::string host_state(const std::string& sandbox) { return join(sandbox, kHostState); }

// The throw-away sandbox of `run --temp` and the installer's of install capture.
inline std::string temp_sandbox(const std::string& sandboxes, const std::string& app_id, long pid) {
  return join(sandboxes, std::string(kTempSandboxPrefix) + app_id + "-" + std::to_string(pid));
}
inline std::string capture_sandbox(const std::string& sandboxes, long pid) {
  return join(sandboxes, std::string(kCaptureSandboxPrefix) + std::to_string(pid));
}

inline std::string cache_entry(const std::string& cache, const std::string& digest) { return join(cache, digest); }
inline std::string cache_root(const std::string& cache, const std::string& digest) {
  return cache_entry(cache, digest) + "/root";
}
// The index of a cache entry's tree (`entry`: <cache>/<digest>, or its extraction in progress).
inline std::string tree_index(const std::string& entry) { return entry + "/.appv/tree"; }
inline std::string cache_lock(const std::string& cache, const std::string& digest) {
  return join(cache, digest + ".lock");
}
// The name prefix of temporary extractions of `digest` (followed by a random suffix).
inline std::string cache_temp_prefix(const std::string& digest) {
  return std::string(kCacheTempPrefix) + digest + "-";
}

}  // namespace appv::layout
