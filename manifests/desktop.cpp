#include "manifests/desktop.h"

#include <charconv>

#include <fmt/format.h>

#include "manifests/manifest_tables.h"
#include "manifests/paths.h"
#include "manifests/permissions.h"
#include "manifests/toml_reader.h"

namespace appv {
namespace {

const std::vector<std::string> kKeys = {"name", "comment", "icon", "categories", "mime_types", "terminal",
                                        "startup_wm_class", "icon_files"};

std::string read_string(const toml::node& v, const std::string& origin, const std::string& key) {
  if (!v.is_string()) toml_fail(origin, v.source(), fmt::format("'{}' must be a string", key));
  return std::string(*v.value<std::string_view>());
}

std::vector<std::string> read_strings(const toml::node& v, const std::string& origin, const std::string& key) {
  const toml::array* array = v.as_array();
  std::vector<std::string> out;
  if (array) {
    for (const toml::node& item : *array) {
      if (!item.is_string()) break;
      out.emplace_back(*item.value<std::string_view>());
    }
  }
  if (!array || out.size() != array->size()) toml_fail(origin, v.source(), fmt::format("'{}' must be an array of strings", key));
  return out;
}

std::map<std::string, std::string> read_icon_files(const toml::node& v, const std::string& origin, const std::string& key) {
  const toml::table* table = v.as_table();
  if (!table) toml_fail(origin, v.source(), fmt::format("'{}' must be a table of size directory = path", key));
  std::map<std::string, std::string> out;
  for (auto&& [size, path] : *table) {
    const std::string dir(size.str());
    if (!valid_icon_size_dir(dir)) {
      toml_fail(origin, size.source(), fmt::format("{}: '{}' is not an icon size directory (48x48, 48x48@2 or scalable)", key, dir));
    }
    std::string file = read_string(path, origin, fmt::format("{}.{}", key, dir));
    if (!is_clean_absolute(file)) toml_fail(origin, path.source(), fmt::format("{}.{}: '{}' must be an absolute, normalised path", key, dir, file));
    out.emplace(dir, std::move(file));
  }
  return out;
}

bool read_size(std::string_view text, unsigned max, unsigned& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty() && text[0] != '0' && out <= max;
}

}  // namespace

bool valid_icon_size_dir(std::string_view dir) {
  if (dir == "scalable") return true;
  std::string_view scale;
  if (size_t at = dir.find('@'); at != std::string_view::npos) {
    scale = dir.substr(at + 1);
    dir = dir.substr(0, at);
    unsigned s = 0;
    if (!read_size(scale, 9, s)) return false;
  }
  size_t x = dir.find('x');
  unsigned w = 0, h = 0;
  return x != std::string_view::npos && read_size(dir.substr(0, x), 1024, w) && read_size(dir.substr(x + 1), 1024, h) && w == h;
}

Desktop read_desktop(const toml::table& table, const std::string& origin, const std::string& context) {
  Desktop d;
  for (auto&& [k, v] : table) {
    const std::string key(k.str());
    const std::string full = context + key;
    if (key == "name") d.name = read_string(v, origin, full);
    else if (key == "comment") d.comment = read_string(v, origin, full);
    else if (key == "icon") d.icon = read_string(v, origin, full);
    else if (key == "categories") d.categories = read_strings(v, origin, full);
    else if (key == "mime_types") d.mime_types = read_strings(v, origin, full);
    else if (key == "startup_wm_class") d.startup_wm_class = read_string(v, origin, full);
    else if (key == "icon_files") d.icon_files = read_icon_files(v, origin, full);
    else if (key == "terminal") {
      if (!v.is_boolean()) toml_fail(origin, v.source(), fmt::format("'{}' must be a boolean", full));
      d.terminal = *v.value<bool>();
    } else {
      toml_fail(origin, k.source(), fmt::format("unknown key '{}'{}", full, did_you_mean(key, kKeys)));
    }
    d.declared.insert(key);
  }
  return d;
}

toml::table write_desktop(const Desktop& d) {
  auto strings = [](const std::vector<std::string>& v) {
    toml::array a;
    for (const std::string& s : v) a.push_back(s);
    return a;
  };
  auto wanted = [&](const char* key, bool has_value) { return has_value || d.declared.count(key) != 0; };
  toml::table t;
  if (wanted("name", !d.name.empty())) t.insert("name", d.name);
  if (wanted("comment", !d.comment.empty())) t.insert("comment", d.comment);
  if (wanted("icon", !d.icon.empty())) t.insert("icon", d.icon);
  if (wanted("categories", !d.categories.empty())) t.insert("categories", strings(d.categories));
  if (wanted("mime_types", !d.mime_types.empty())) t.insert("mime_types", strings(d.mime_types));
  if (wanted("terminal", d.terminal)) t.insert("terminal", d.terminal);
  if (wanted("startup_wm_class", !d.startup_wm_class.empty())) t.insert("startup_wm_class", d.startup_wm_class);
  if (!d.icon_files.empty()) {
    toml::table files;
    for (const auto& [size, path] : d.icon_files) files.insert(size, path);
    t.insert("icon_files", std::move(files));
  }
  return t;
}

}  // namespace appv
