// freedesktop.org desktop entries for installed packages (Desktop Entry
// Specification 1.5): escaping, Exec quoting and the entry text. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "manifests/desktop_entries.h"
#include "manifests/manifest.h"

namespace appv {

// A value of type string or localestring: \s \n \t \r \\ escapes.
std::string desktop_escape(const std::string& value);

// An Exec value from literal arguments (no field codes in them): each argument is
// quoted when it holds a reserved character, '"' '`' '$' '\' are backslash-escaped
// inside quotes, '%' is doubled, then the whole is string-escaped. A file name can
// therefore never become a field code or a second argument. `field_code` ("%F",
// "%U" or "") is appended as a separate argument. Throws Exit::Usage for arguments
// with control characters, which an Exec line cannot carry.
std::string exec_line(const std::vector<std::string>& args, const std::string& field_code);

struct DesktopEntryInput {
  std::vector<std::string> exec;  // the command that runs the entry point
  std::string icon;               // Icon value: an icon name or an absolute path; empty: none
};

// The text of one .desktop file for `spec` (manifests/desktop_entries.h): Name,
// Comment, Icon, Exec (with %F when it opens MIME types), Terminal, Categories,
// MimeType, StartupWMClass, and X-Appv-Id/-Version/-Entry for appv's own use.
std::string make_desktop_entry(const Manifest& manifest, const DesktopEntrySpec& spec, const DesktopEntryInput& input);

}  // namespace appv
