// The directories appv keeps content in that others (an app, a package) control —
// the cache and the sandboxes — and the user's install directories (records that say
// what uninstall removes, menu entries, commands) must belong to the user running appv:
// root given a HOME or XDG_CACHE_HOME/XDG_DATA_HOME inside a user's home, or a path in
// /tmp that another user created first, would otherwise read and write where that user
// can plant links (DESIGN.md, invariant 8).
#pragma once

#include <string>

namespace appv {

// Checks `base` (an XDG base directory) and each directory of `sub` below it that
// exists: each must belong to the effective uid (links are followed: a user's
// ~/.cache may point to their own disk). When `base` does not exist yet, the nearest
// directory above it that exists must belong to the effective uid or to root (a
// sticky /tmp). Throws Error(Exit::NoPerm, "'DIR' belongs to uid N, not to uid M
// running appv ...") naming the first directory that fails.
void require_own_dirs(const std::string& base, const std::string& sub);

}  // namespace appv
