// `appv pack`'s check of a manifest's desktop metadata (README "Manifest", [desktop]),
// so that a package that packs is one whose menu entries install: each entry's
// desktop file id is valid and each icon is taken from the package itself.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifests/manifest.h"
#include "packager/file_set.h"

namespace appv {

struct IconSearch {
  // Where this host's icon themes are looked for, prefixed to /usr/share/icons and
  // /usr/share/pixmaps ("" for the host itself; a test's tree otherwise).
  std::string host_root;
  // The manifest's files.exclude: an icon it leaves out is never brought back.
  std::function<bool(const std::string&)> excluded;
};

// Checks every menu entry desktop_entries() gives for `manifest` and resolves each
// icon, storing the result in the Desktop tables' icon_files (which install copies):
//   icon = "/abs/path" — the file must be in `files` (through the package's own
//     links), a PNG, SVG or XPM by content (a name saying .png must hold a PNG), a
//     square image of at most 1024 px; its size directory comes from its content.
//   icon = "name" — every usr/share/icons/THEME/SIZE/CONTEXT/name.{png,svg,xpm} in
//     `files` (hicolor first, "apps" first, one file per size), else
//     usr/share/pixmaps/name.*.
//     When the package holds none, the same files of this host are added to `files`
//     and a warning naming them is returned.
// Throws Error(Exit::BadInput, "KEY 'VALUE': why") for the first problem, KEY being
// the manifest key ("desktop.icon", "entry.xclock.desktop.icon", "id").
std::vector<std::string> check_desktop(Manifest& manifest, FileSet& files, const IconSearch& search);

}  // namespace appv
