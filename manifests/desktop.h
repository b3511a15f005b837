// Desktop metadata in a manifest: `[desktop]` (the default entry point's menu entry,
// and the defaults of the others) and `[entry.NAME.desktop]` (a menu entry for entry
// point NAME). Read and written as TOML; pure data, no file system.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace appv {

struct Desktop {
  std::string name;     // Name; empty: the manifest's name (default entry) or the entry's name
  std::string comment;
  std::string icon;     // a theme icon name ("xterm") or an absolute virtual path
  std::vector<std::string> categories;
  std::vector<std::string> mime_types;
  bool terminal = false;
  // StartupWMClass, which docks match against a window's WM_CLASS; empty: the
  // program's basename, the instance part X11 toolkits set from argv[0].
  std::string startup_wm_class = {};
  // What `appv pack` resolved `icon` to, so install copies exactly these files and
  // never searches: size directory of the hicolor theme ("48x48", "48x48@2",
  // "scalable") -> virtual path of the icon file in the package. Pack replaces any
  // value a manifest gives.
  std::map<std::string, std::string> icon_files = {};
  // The keys the table gave: an entry's table takes the others from [desktop].
  std::set<std::string> declared = {};
};

// An icon theme size directory appv installs into: "NxN" or "NxN@S" (N at most 1024,
// S at most 9) or "scalable". Anything else could name a path outside the theme.
bool valid_icon_size_dir(std::string_view dir);

}  // namespace appv
