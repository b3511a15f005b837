#include "desktop/desktop_entry.h"

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

// Reserved characters of the Exec key: an argument holding one must be quoted.
constexpr std::string_view kReserved = " \t\n\"'\\><~|&;$*?#()`";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += s + ";";
  return out;
}

}  // namespace

std::string desktop_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  if (!out.empty() && out[0] == ' ') out = "\\s" + out.substr(1);
  return out;
}

std::string exec_line(const std::vector<std::string>& args, const std::string& field_code) {
  std::string line;
  for (const std::string& arg : args) {
    for (unsigned char c : arg) {
      if (c < 0x20 || c == 0x7f) throw Error(Exit::Usage, fmt::format("'{}' cannot appear in a desktop entry's Exec line", arg));
    }
    std::string word;
    bool quote = arg.empty() || arg.find_first_of(kReserved) != std::string::npos;
    for (char c : arg) {
      if (quote && (c == '"' || c == '`' || c == '$' || c == '\\')) word += '\\';
      word += c;
      if (c == '%') word += '%';
    }
    if (quote) word = "\"" + word + "\"";
    line += (line.empty() ? "" : " ") + word;
  }
  if (!field_code.empty()) line += " " + field_code;
  // The Exec value is itself a string value: escape its backslashes once more.
  return desktop_escape(line);
}

std::string make_desktop_entry(const Manifest& m, const DesktopEntrySpec& spec, const DesktopEntryInput& in) {
  const Desktop& d = spec.desktop;
  std::string out = "[Desktop Entry]\nType=Application\nVersion=1.4\n";
  out += fmt::format("Name={}\n", desktop_escape(d.name));
  if (!d.comment.empty()) out += fmt::format("Comment={}\n", desktop_escape(d.comment));
  if (!in.icon.empty()) out += fmt::format("Icon={}\n", desktop_escape(in.icon));
  out += fmt::format("Exec={}\n", exec_line(in.exec, d.mime_types.empty() ? "" : "%F"));
  out += fmt::format("Terminal={}\n", d.terminal ? "true" : "false");
  if (!d.categories.empty()) out += fmt::format("Categories={}\n", desktop_escape(join(d.categories)));
  if (!d.mime_types.empty()) out += fmt::format("MimeType={}\n", desktop_escape(join(d.mime_types)));
  if (!d.startup_wm_class.empty()) out += fmt::format("StartupWMClass={}\n", desktop_escape(d.startup_wm_class));
  out += fmt::format("X-Appv-Id={}\nX-Appv-Version={}\nX-Appv-Entry={}\n", m.id, desktop_escape(m.version), spec.entry);
  return out;
}

}  // namespace appv
