// The menu entries a manifest asks for, every default applied: what `appv pack`
// checks and `appv install` writes. Pure.
//
// The default entry point gets one when the manifest has [desktop]; any entry point
// gets one with [entry.NAME.desktop]. An entry's table takes the keys it leaves out
// from [desktop], except `name` (the entry's own name, so a second menu entry is
// never "XTerm (uxterm)"), `mime_types` (a file type opens with one entry) and
// `startup_wm_class` (each program's own window).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "manifests/manifest.h"

namespace appv {

struct DesktopEntrySpec {
  std::string entry;      // the entry point it starts
  // "<app-id>.desktop" (default entry), "<app-id>.<entry>.desktop"; "appv.<app-id>..."
  // for an app id that is not a valid desktop file id (packed before pack refused those).
  std::string file_id;
  // The name its icon is installed under: "<app-id>", or "<app-id>.<entry>" for an
  // entry whose icon differs from the default entry's. Empty: no icon.
  std::string icon_name;
  std::string icon_key;   // where its icon was set: "desktop.icon", "entry.NAME.desktop.icon"
  Desktop desktop;        // every value as the entry will show it (name, StartupWMClass...)
};

// Default entry first, then the others by name.
std::vector<DesktopEntrySpec> desktop_entries(const Manifest& manifest);

// "" when `id` (a desktop file id without ".desktop") follows the D-Bus well-known
// name rules the Desktop Entry Specification asks of file ids: at least two
// '.'-separated elements of [A-Za-z0-9_-], none empty or starting with a digit, at
// most 255 characters. Otherwise why not, as a phrase ("has one element only").
std::string desktop_file_id_problem(std::string_view id);

}  // namespace appv
