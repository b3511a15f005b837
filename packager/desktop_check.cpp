#include "packager/desktop_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/unique_fd.h"
#include "manifests/desktop_entries.h"
#include "manifests/icon_format.h"
#include "manifests/paths.h"

namespace appv {
namespace {

constexpr std::string_view kThemes = "/usr/share/icons/";
constexpr std::string_view kPixmaps = "/usr/share/pixmaps/";
constexpr IconFormat kFormats[] = {IconFormat::Png, IconFormat::Svg, IconFormat::Xpm};  // preferred first

// A manifest key and its value, as a message names them.
struct KeyValue {
  std::string key, value;
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(Exit::BadInput, fmt::format("{} '{}': {}", key, shown_name(value), why));
  }
};

// The bytes of a file of the set: the host file it was captured from, or the bytes
// appv generated for it.
std::string read_icon_bytes(const FileRecord& record, const std::string& path, const KeyValue& at) {
  if (record.source.empty()) return record.data;
  if (record.size > kMaxIconBytes) at.fail(fmt::format("{} is larger than {} bytes", path, kMaxIconBytes));
  UniqueFd fd(::open(record.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) throw_sys("cannot read icon", record.source, errno, Exit::NoInput);
  std::string bytes(kMaxIconBytes + 1, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read icon", record.source, errno, Exit::NoInput);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMaxIconBytes) at.fail(fmt::format("{} is larger than {} bytes", path, kMaxIconBytes));
  bytes.resize(got);
  return bytes;
}

// The image at virtual path `path` of the set, checked: a regular file (links followed
// inside the set), a supported format by content, and the format its name says.
IconImage checked_image(const FileSet& files, const std::string& path, const KeyValue& at) {
  std::optional<std::string> real = files.resolve(path);
  if (!real) at.fail(fmt::format("{} is not in the package (add it to [files] include)", path));
  auto it = files.entries().find(*real);
  if (it == files.entries().end() || it->second.kind != FileRecord::Kind::File) {
    at.fail(fmt::format("{} is not a regular file in the package", path));
  }
  std::optional<IconImage> image = sniff_icon(read_icon_bytes(it->second, path, at));
  if (!image) at.fail(fmt::format("{} is not a PNG, SVG or XPM image (the formats desktops load)", path));
  const std::string base = path.substr(path.find_last_of('/') + 1);
  const size_t dot = base.find_last_of('.');
  if (std::optional<IconFormat> named = dot == std::string::npos ? std::nullopt : icon_format_of_extension(base.substr(dot + 1));
      named && *named != image->format) {
    at.fail(fmt::format("{} holds {} data, not the {} its name says", path, icon_format_name(image->format), icon_format_name(*named)));
  }
  return *image;
}

// A theme icon file's place: /usr/share/icons/THEME/SIZE/CONTEXT/NAME.EXT. Desktops
// look a name up in every context directory of a theme ("apps", but also "status",
// "legacy"...), so pack does too.
struct ThemeFile {
  std::string theme, size, context;
  IconFormat format;
};

std::optional<ThemeFile> theme_file(const std::string& path, const std::string& name) {
  if (path.compare(0, kThemes.size(), kThemes) != 0) return std::nullopt;
  const std::vector<std::string> parts = split_nonempty(std::string_view(path).substr(kThemes.size()), '/');
  if (parts.size() != 4 || !valid_icon_size_dir(parts[1])) return std::nullopt;
  const std::string& file = parts[3];
  if (file.size() <= name.size() + 1 || file.compare(0, name.size(), name) != 0 || file[name.size()] != '.') return std::nullopt;
  std::optional<IconFormat> format = icon_format_of_extension(std::string_view(file).substr(name.size() + 1));
  if (!format) return std::nullopt;
  return ThemeFile{parts[0], parts[1], parts[2], *format};
}

// Preference among files for one size directory: hicolor (the theme every desktop
// falls back to) before the others by name, "apps" before other contexts, then PNG,
// SVG, XPM.
std::tuple<bool, std::string, bool, std::string, int> rank(const ThemeFile& f) {
  return {f.theme != "hicolor", f.theme, f.context != "apps", f.context, static_cast<int>(f.format)};
}
bool preferred(const ThemeFile& a, const ThemeFile& b) { return rank(a) < rank(b); }

// The theme icons called `name` among `paths`: size directory -> path.
std::map<std::string, std::string> pick_theme_files(const std::vector<std::string>& paths, const std::string& name) {
  std::map<std::string, std::pair<ThemeFile, std::string>> best;
  for (const std::string& path : paths) {
    std::optional<ThemeFile> f = theme_file(path, name);
    if (!f) continue;
    auto it = best.find(f->size);
    if (it == best.end() || preferred(*f, it->second.first)) best.insert_or_assign(f->size, std::pair{*f, path});
  }
  std::map<std::string, std::string> out;
  for (const auto& [size, chosen] : best) out.emplace(size, chosen.second);
  return out;
}

// Paths of the set below /usr/share/icons/ (theme files are found among these).
std::vector<std::string> packaged_theme_paths(const FileSet& files) {
  std::vector<std::string> out;
  for (auto it = files.entries().lower_bound(std::string(kThemes)); it != files.entries().end(); ++it) {
    if (it->first.compare(0, kThemes.size(), kThemes) != 0) break;
    out.push_back(it->first);
  }
  return out;
}

// This host's icon files called `name`: every theme's SIZE/CONTEXT/name.EXT.
std::vector<std::string> host_theme_paths(const std::string& root, const std::string& name) {
  std::vector<std::string> out;
  const std::string themes(kThemes);
  for (const std::string& theme : list_dir(root + themes)) {
    for (const std::string& size : list_dir(root + themes + theme)) {
      if (!valid_icon_size_dir(size)) continue;
      for (const std::string& context : list_dir(root + themes + theme + "/" + size)) {
        for (IconFormat f : kFormats) {
          std::string path = fmt::format("{}{}/{}/{}/{}.{}", themes, theme, size, context, name, icon_extension(f));
          if (path_exists(root + path)) out.push_back(path);
        }
      }
    }
  }
  return out;
}

std::optional<std::string> pixmap(const std::string& name, const std::function<bool(const std::string&)>& exists) {
  for (IconFormat f : kFormats) {
    std::string path = fmt::format("{}{}.{}", kPixmaps, name, icon_extension(f));
    if (exists(path)) return path;
  }
  return std::nullopt;
}

class IconResolver {
 public:
  IconResolver(FileSet& files, const IconSearch& search) : files_(files), search_(search) {}

  std::map<std::string, std::string> resolve(const KeyValue& at) {
    const std::string& icon = at.value;
    if (icon.find('/') != std::string::npos) return absolute(at);
    const size_t dot = icon.find_last_of('.');
    if (dot != std::string::npos && icon_format_of_extension(icon.substr(dot + 1))) {
      at.fail(fmt::format("an icon theme name has no extension: write '{}', or an absolute path in the package", icon.substr(0, dot)));
    }
    std::map<std::string, std::string> found = in_package(icon, at);
    if (found.empty()) {
      pull_from_host(icon, at);
      found = in_package(icon, at);
    }
    if (found.empty()) {
      at.fail(fmt::format("no such icon in the package or on this host (looked for usr/share/icons/THEME/SIZE/CONTEXT/{0}.png, "
                          ".svg, .xpm and usr/share/pixmaps/{0}.*)", icon));
    }
    return found;
  }

  std::vector<std::string> warnings() const { return warnings_; }

 private:
  std::map<std::string, std::string> absolute(const KeyValue& at) const {
    if (!is_clean_absolute(at.value)) at.fail("an icon is a theme name (\"xterm\") or an absolute, normalised path in the package");
    std::string why;
    std::string size = icon_size_dir(checked_image(files_, at.value, at), &why);
    if (size.empty()) at.fail(why);
    return {{size, at.value}};
  }

  // The package's own files for theme name `icon`, each checked.
  std::map<std::string, std::string> in_package(const std::string& icon, const KeyValue& at) const {
    std::vector<std::string> paths;
    for (const std::string& path : packaged_theme_paths(files_)) {
      if (theme_file(path, icon) && files_.provides(path)) paths.push_back(path);
    }
    std::map<std::string, std::string> found = pick_theme_files(paths, icon);
    for (const auto& [size, path] : found) checked_image(files_, path, at);
    if (!found.empty()) return found;
    std::optional<std::string> pix = pixmap(icon, [&](const std::string& p) { return files_.provides(p); });
    if (!pix) return {};
    std::string why;
    std::string size = icon_size_dir(checked_image(files_, *pix, at), &why);
    if (size.empty()) at.fail(fmt::format("{}: {}", *pix, why));
    return {{size, *pix}};
  }

  // The host's icon files for `icon`, added to the package (unless excluded), and a
  // warning that says so: icons are rarely in an ELF closure.
  void pull_from_host(const std::string& icon, const KeyValue& at) {
    const std::string& root = search_.host_root;
    std::vector<std::string> paths;
    for (const std::string& path : host_theme_paths(root, icon)) {
      if (!search_.excluded || !search_.excluded(path)) paths.push_back(path);
    }
    std::map<std::string, std::string> chosen = pick_theme_files(paths, icon);
    if (chosen.empty()) {
      std::optional<std::string> pix = pixmap(icon, [&](const std::string& p) {
        return path_exists(root + p) && (!search_.excluded || !search_.excluded(p));
      });
      if (pix) chosen.emplace("", *pix);
    }
    if (chosen.empty()) return;
    std::string added;
    size_t count = 0;
    for (const auto& [size, path] : chosen) {
      if (files_.add(path, fmt::format("icon of {}", at.key)).empty()) continue;
      added += (added.empty() ? "" : ", ") + path;
      ++count;
    }
    if (count > 0) {
      warnings_.push_back(fmt::format("{} '{}': the package had no such icon; added {} file(s) from this host ({}): list "
                                      "them in [files] include to pack them knowingly",
                                      at.key, icon, count, added));
    }
  }

  FileSet& files_;
  const IconSearch& search_;
  std::vector<std::string> warnings_;
};

void check_text(const KeyValue& at, bool list) {
  for (unsigned char c : at.value) {
    if (c < 0x20 || c == 0x7f || (list && c == ';')) at.fail(list ? "a list item cannot hold ';' or control characters" : "control characters cannot appear in a desktop entry");
  }
}

// "type/subtype" with the characters RFC 6838 allows in each half.
bool valid_mime_type(std::string_view type) {
  const size_t slash = type.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == type.size() || type.find('/', slash + 1) != std::string_view::npos) return false;
  for (char c : type) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$&^_.+-/").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// The keys of one menu entry that pack can check without the files.
void check_entry_text(const Manifest& m, const DesktopEntrySpec& spec) {
  const bool is_default = spec.entry == m.default_entry;
  const EntryPoint& entry = m.entries.at(spec.entry);
  // The key as the manifest wrote it: the entry's own table, or [desktop] it inherits from.
  // `shared`: a key every entry takes from [desktop] (not name, mime_types, startup_wm_class).
  auto key = [&](const char* name, bool shared = false) {
    const bool own = entry.desktop && entry.desktop->declared.count(name);
    return own || !(is_default || shared) ? fmt::format("entry.{}.desktop.{}", spec.entry, name) : fmt::format("desktop.{}", name);
  };
  // The app id itself, not the file id: install names an old package's entries
  // "appv.<id>.desktop" so as not to shadow the host's, but a new package is named
  // after its app id, as desktops expect.
  if (std::string why = desktop_file_id_problem(m.id); !why.empty()) {
    KeyValue{"id", m.id}.fail(fmt::format("names the desktop entry {}.desktop, and a desktop file id {}", m.id, why));
  }
  if (std::string why = desktop_file_id_problem(m.id + "." + spec.entry); !is_default && !why.empty()) {
    KeyValue{fmt::format("entry.{}", spec.entry), spec.entry}.fail(fmt::format("names the desktop entry {}, and a desktop file id {}", spec.file_id, why));
  }
  const Desktop& d = spec.desktop;
  if (d.name.empty()) KeyValue{key("name"), d.name}.fail("a menu entry needs a name");
  check_text({key("name"), d.name}, false);
  check_text({key("comment", true), d.comment}, false);
  check_text({key("startup_wm_class"), d.startup_wm_class}, false);
  for (const std::string& c : d.categories) check_text({key("categories", true), c}, true);
  for (const std::string& type : d.mime_types) {
    if (!valid_mime_type(type)) KeyValue{key("mime_types"), type}.fail("is not a MIME type (type/subtype)");
  }
}

}  // namespace

std::vector<std::string> check_desktop(Manifest& m, FileSet& files, const IconSearch& search) {
  for (const DesktopEntrySpec& spec : desktop_entries(m)) check_entry_text(m, spec);

  // Every table that sets an icon, resolved once per icon value.
  std::vector<std::pair<std::string, Desktop*>> tables;
  if (m.desktop) tables.emplace_back("desktop.icon", &*m.desktop);
  for (auto& [name, entry] : m.entries) {
    if (!entry.desktop) continue;
    entry.desktop->icon_files.clear();  // an entry without an icon of its own shows [desktop]'s
    if (entry.desktop->declared.count("icon")) tables.emplace_back(fmt::format("entry.{}.desktop.icon", name), &*entry.desktop);
  }
  IconResolver resolver(files, search);
  std::map<std::string, std::map<std::string, std::string>> resolved;
  for (auto& [key, desktop] : tables) {
    desktop->icon_files.clear();  // pack's own finding replaces whatever the manifest said
    if (desktop->icon.empty()) continue;
    auto it = resolved.find(desktop->icon);
    if (it == resolved.end()) it = resolved.emplace(desktop->icon, resolver.resolve({key, desktop->icon})).first;
    desktop->icon_files = it->second;
  }
  return resolver.warnings();
}

}  // namespace appv
