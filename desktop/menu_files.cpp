#include "desktop/menu_files.h"

#include <map>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "desktop/desktop_entry.h"
#include "manifests/desktop.h"
#include "manifests/desktop_entries.h"
#include "manifests/icon_format.h"

namespace appv {
namespace {

// What one package's icons may come to, all sizes of all its entries: a hand-made
// package could otherwise name one large image at thousands of sizes and have install
// write each copy (hicolor's usual dozen sizes of a large app stay far below).
constexpr uint64_t kMaxInstalledIconBytes = 64ull << 20;

// The icon files of one installed icon name; returns the Icon value entries use.
// `total`: the bytes of icons taken so far for this package.
std::string add_icons(const DesktopEntrySpec& spec, const std::string& data, const ReadIcon& read_icon,
                      std::vector<MenuFile>& out, uint64_t& total) {
  const Desktop& d = spec.desktop;
  std::map<std::string, std::string> files = d.icon_files;
  if (files.empty()) {
    // Packed by an appv that did not record icon files: a theme name stays a name,
    // an absolute path is the one file (its size told by its content).
    if (d.icon[0] != '/') return d.icon;
    files.emplace("", d.icon);
  }
  for (const auto& [recorded, path] : files) {
    const std::string bytes = read_icon(path);
    total += bytes.size();
    if (total > kMaxInstalledIconBytes) {
      throw Error(Exit::BadInput, fmt::format("the package's icons come to more than {} MiB (at '{}', size {})",
                                              kMaxInstalledIconBytes >> 20, shown_name(path), shown_name(recorded)));
    }
    std::optional<IconImage> image = sniff_icon(bytes);
    if (!image) throw Error(Exit::BadInput, fmt::format("icon '{}' is not a PNG, SVG or XPM image", shown_name(path)));
    std::string why;
    const std::string size = recorded.empty() ? icon_size_dir(*image, &why) : recorded;
    if (!valid_icon_size_dir(size)) {
      throw Error(Exit::BadInput, fmt::format("icon '{}': {}", shown_name(path), why.empty() ? "'" + shown_name(size) + "' is not an icon size" : why));
    }
    out.push_back({fmt::format("{}/icons/hicolor/{}/apps/{}.{}", data, size, spec.icon_name, icon_extension(image->format)), bytes, {}});
  }
  return spec.icon_name;
}

}  // namespace

std::vector<MenuFile> menu_files(const Manifest& m, const std::string& data, const ExecFor& exec, const ReadIcon& read_icon) {
  std::vector<MenuFile> icons, entries;
  std::map<std::string, std::string> icon_values;  // icon name -> Icon value, each installed once
  uint64_t icon_bytes = 0;
  for (const DesktopEntrySpec& spec : desktop_entries(m)) {
    std::string icon;
    if (!spec.icon_name.empty()) {
      auto it = icon_values.find(spec.icon_name);
      if (it == icon_values.end()) it = icon_values.emplace(spec.icon_name, add_icons(spec, data, read_icon, icons, icon_bytes)).first;
      icon = it->second;
    }
    entries.push_back({fmt::format("{}/applications/{}", data, spec.file_id),
                       make_desktop_entry(m, spec, {exec(spec.entry), icon}), spec.entry});
  }
  icons.insert(icons.end(), entries.begin(), entries.end());
  return icons;
}

}  // namespace appv
