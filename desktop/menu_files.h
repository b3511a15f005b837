// The files `appv install` writes for a package's menu entries: one desktop entry per
// entry point that asks for one (manifests/desktop_entries.h) and the icon files
// `appv pack` resolved for them, each at its place below an XDG data directory.
// Pure except for the callbacks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifests/manifest.h"

namespace appv {

struct MenuFile {
  std::string path;     // below `data`: applications/<file-id>, icons/hicolor/<size>/apps/<name>.<ext>
  std::string content;
  std::string entry;    // the entry point a desktop entry starts; empty for an icon
};

// The command a menu entry runs for an entry point.
using ExecFor = std::function<std::vector<std::string>(const std::string& entry)>;
// The bytes of the package's file at a virtual path (read inside the package's tree).
using ReadIcon = std::function<std::string(const std::string& path)>;

// Icons first, then desktop entries. Icons go to the hicolor theme under the name
// DesktopEntrySpec::icon_name, one file per size pack recorded (Desktop::icon_files);
// a package packed before pack recorded them has its absolute icon copied (size from
// its content) and a theme name written as it is. Throws Error(Exit::BadInput) for
// an icon that is not a PNG, SVG or XPM image or has no valid size.
std::vector<MenuFile> menu_files(const Manifest& manifest, const std::string& data, const ExecFor& exec,
                                 const ReadIcon& read_icon);

}  // namespace appv
