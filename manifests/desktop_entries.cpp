#include "manifests/desktop_entries.h"

#include <fmt/format.h>

#include "manifests/paths.h"

namespace appv {
namespace {

// What desktop file ids and icon names start with: the app id, or for a package
// packed before `appv pack` refused ids that cannot name a desktop file ("xterm"),
// "appv.<id>", which never shadows the host's own xterm.desktop.
std::string id_prefix(const Manifest& m) { return desktop_file_id_problem(m.id).empty() ? m.id : "appv." + m.id; }

DesktopEntrySpec entry_spec(const Manifest& m, const std::string& name) {
  static const Desktop kNone;
  const Desktop& base = m.desktop ? *m.desktop : kNone;
  const EntryPoint& entry = m.entries.at(name);
  const Desktop& own = entry.desktop ? *entry.desktop : kNone;
  auto has = [&](const char* key) { return own.declared.count(key) != 0; };
  const bool is_default = name == m.default_entry;

  DesktopEntrySpec spec;
  spec.entry = name;
  const std::string prefix = id_prefix(m);
  spec.file_id = is_default ? prefix + ".desktop" : fmt::format("{}.{}.desktop", prefix, name);
  Desktop& d = spec.desktop;
  d.name = has("name") ? own.name : !is_default ? name : !base.name.empty() ? base.name : m.name;
  d.comment = has("comment") ? own.comment : base.comment;
  d.categories = has("categories") ? own.categories : base.categories;
  d.terminal = has("terminal") ? own.terminal : base.terminal;
  d.mime_types = has("mime_types") ? own.mime_types : is_default ? base.mime_types : std::vector<std::string>{};
  // An icon and what pack resolved it to travel together.
  const Desktop& icon_from = has("icon") ? own : base;
  d.icon = icon_from.icon;
  d.icon_files = icon_from.icon_files;
  spec.icon_key = has("icon") ? fmt::format("entry.{}.desktop.icon", name) : "desktop.icon";
  const std::string program = entry.path.substr(entry.path.find_last_of('/') + 1);
  d.startup_wm_class = has("startup_wm_class")                      ? own.startup_wm_class
                       : is_default && !base.startup_wm_class.empty() ? base.startup_wm_class
                                                                      : program;
  return spec;
}

bool wants_entry(const Manifest& m, const std::string& name) {
  return m.entries.at(name).desktop || (name == m.default_entry && m.desktop);
}

}  // namespace

std::vector<DesktopEntrySpec> desktop_entries(const Manifest& m) {
  std::vector<DesktopEntrySpec> out;
  if (m.entries.count(m.default_entry) && wants_entry(m, m.default_entry)) out.push_back(entry_spec(m, m.default_entry));
  for (const auto& [name, _] : m.entries) {
    if (name != m.default_entry && wants_entry(m, name)) out.push_back(entry_spec(m, name));
  }
  // The default entry's icon is the app's, named after the app id as desktops expect;
  // an entry with an icon of its own gets a name of its own.
  const std::string default_icon = !out.empty() && out.front().entry == m.default_entry ? out.front().desktop.icon : "";
  for (DesktopEntrySpec& spec : out) {
    if (spec.desktop.icon.empty()) continue;
    const bool shared = spec.entry == m.default_entry || spec.desktop.icon == default_icon;
    spec.icon_name = shared ? id_prefix(m) : fmt::format("{}.{}", id_prefix(m), spec.entry);
  }
  return out;
}

std::string desktop_file_id_problem(std::string_view id) {
  if (id.size() > 255) return "is longer than 255 characters";
  const std::vector<std::string> elements = split_nonempty(id, '.');
  if (elements.size() < 2) return "has a single element; use a reverse-DNS id such as org.example.app";
  size_t separators = 0;
  for (char c : id) separators += c == '.';
  if (separators + 1 != elements.size()) return "has an empty element";
  for (const std::string& e : elements) {
    if (e[0] >= '0' && e[0] <= '9') return fmt::format("has an element starting with a digit ('{}')", e);
    for (char c : e) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) return fmt::format("has a character other than letters, digits, '_' and '-' in '{}'", e);
    }
  }
  return {};
}

}  // namespace appv
