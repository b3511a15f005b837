#include "manifests/manifest.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/error.h"
#include "base/text.h"
#include "manifests/manifest_tables.h"
#include "manifests/paths.h"
#include "manifests/tokens.h"
#include "manifests/toml_reader.h"

namespace appv {
namespace {

// Every error names the place in the file: "origin:line:col: message".
[[noreturn]] void fail_at(const std::string& origin, const toml::source_region& where,
                          std::string_view message) {
  toml_fail(origin, where, message);
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

// Walks one table, handing each known key to its reader and refusing the rest.
class TableReader {
 public:
  TableReader(const std::string& origin, const toml::table& table, std::string context)
      : origin_(origin), table_(table), context_(std::move(context)) {}

  const std::string& origin() const { return origin_; }

  std::string string(const toml::node& node, std::string_view key) const {
    if (!node.is_string()) wrong_type(node, key, "a string");
    return std::string(*node.value<std::string_view>());
  }

  bool boolean(const toml::node& node, std::string_view key) const {
    if (!node.is_boolean()) wrong_type(node, key, "a boolean");
    return *node.value<bool>();
  }

  std::vector<std::string> strings(const toml::node& node, std::string_view key) const {
    const toml::array* array = node.as_array();
    if (!array) wrong_type(node, key, "an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      if (!item.is_string()) wrong_type(item, key, "an array of strings");
      out.emplace_back(*item.value<std::string_view>());
    }
    return out;
  }

  std::map<std::string, std::string> string_map(const toml::node& node, std::string_view key) const {
    const toml::table* table = node.as_table();
    if (!table) wrong_type(node, key, "a table of strings");
    std::map<std::string, std::string> out;
    for (auto&& [k, v] : *table) {
      if (!v.is_string()) wrong_type(v, fmt::format("{}.{}", key, k.str()), "a string");
      out.emplace(std::string(k.str()), std::string(*v.value<std::string_view>()));
    }
    return out;
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    const toml::table* t = node.as_table();
    if (!t) wrong_type(node, key, "a table");
    return *t;
  }

  // Calls fn(key, node) for every key; a key fn refuses (returns false) fails the
  // manifest at its line and column, naming the closest of `known` (the keys this
  // table takes, for "did you mean"; acceptance is fn's alone).
  template <typename Fn>
  void each(const std::vector<std::string>& known, Fn&& fn) const {
    for (auto&& [key, node] : table_) {
      if (!fn(std::string_view(key.str()), node)) {
        fail_at(origin_, key.source(),
                fmt::format("unknown key '{}{}'{}", context_, key.str(), did_you_mean(key.str(), known)));
      }
    }
  }
  // The same for tables whose keys are names (entry points, families, prefixes).
  template <typename Fn>
  void each(Fn&& fn) const {
    each({}, std::forward<Fn>(fn));
  }

  [[noreturn]] void wrong_type(const toml::node& node, std::string_view key,
                               std::string_view expected) const {
    fail_at(origin_, node.source(),
            fmt::format("'{}{}' must be {}, not a {}", context_, key, expected, type_name(node)));
  }

 private:
  const std::string& origin_;
  const toml::table& table_;
  std::string context_;
};

EntryPoint read_entry(const TableReader& parent, const toml::node& node, std::string_view name) {
  const toml::table& table = parent.table(node, fmt::format("entry.{}", name));
  TableReader r(parent.origin(), table, fmt::format("entry.{}.", name));
  EntryPoint entry;
  bool has_path = false;
  r.each({"path", "args"}, [&](std::string_view key, const toml::node& value) {
    if (key == "path") {
      entry.path = r.string(value, key);
      has_path = true;
    } else if (key == "args") {
      entry.args = r.strings(value, key);
    } else if (key == "desktop") {
      entry.desktop = read_desktop(r.table(value, key), parent.origin(), fmt::format("entry.{}.desktop.", name));
    } else {
      return false;
    }
    return true;
  });
  if (!has_path) fail_at(parent.origin(), node.source(), fmt::format("entry '{}' has no 'path'", name));
  if (!is_clean_absolute(entry.path)) {
    fail_at(parent.origin(), table["path"].node()->source(),
            fmt::format("entry '{}': path '{}' must be absolute and normalised", name, entry.path));
  }
  return entry;
}

void read_files(const TableReader& parent, const toml::node& node, Manifest& m) {
  TableReader r(parent.origin(), parent.table(node, "files"), "files.");
  r.each({"include", "exclude", "hide"}, [&](std::string_view key, const toml::node& value) {
    if (key == "hide") {
      m.hide = r.strings(value, key);
      for (const std::string& path : m.hide) {
        if (!is_clean_absolute(path) || split_nonempty(path, '/').size() < 2) {
          fail_at(r.origin(), value.source(), fmt::format("files.hide: '{}' must be an absolute, normalised path below a top-level directory", path));
        }
      }
      return true;
    }
    std::vector<std::string>* target = key == "include" ? &m.include : key == "exclude" ? &m.exclude : nullptr;
    if (!target) return false;
    *target = r.strings(value, key);
    for (const std::string& glob : *target) {
      if (glob.empty() || glob[0] != '/') {
        fail_at(r.origin(), value.source(), fmt::format("files.{}: '{}' must be an absolute path or glob", key, glob));
      }
    }
    return true;
  });
}

// A prefix is an absolute, normalised path, or one that starts with a token ("~",
// "$HOME", "${XDG_CONFIG_HOME}") and is normalised once the token is expanded.
std::string check_isolation_prefix(std::string_view key) {
  if (std::string err = check_tokens(key, is_path_token); !err.empty()) return "has " + err;
  Tokens placeholders;
  for (std::string_view name : {"HOME", "USER", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
                                "XDG_RUNTIME_DIR"}) {
    placeholders.emplace(std::string(name), "/t");
  }
  std::string expanded = expand_tokens(key, placeholders, "isolation prefix");
  if (!is_clean_absolute(expanded)) return "must be an absolute, normalised path (or start with ~ or $HOME)";
  return {};
}

void read_isolation(const TableReader& parent, const toml::node& node, Manifest& m) {
  TableReader r(parent.origin(), parent.table(node, "isolation"), "isolation.");
  r.each([&](std::string_view key, const toml::node& value) {
    std::string mode_text = r.string(value, key);
    std::optional<Isolation> mode = parse_isolation(mode_text);
    if (!mode) {
      fail_at(r.origin(), value.source(),
              fmt::format("isolation '{}': unknown mode '{}' (expected merged, writecopy, full or host)", key, mode_text));
    }
    if (std::string why = check_isolation_prefix(key); !why.empty()) {
      fail_at(r.origin(), value.source(), fmt::format("isolation prefix '{}' {}", key, why));
    }
    m.isolation[std::string(key)] = *mode;
    return true;
  });
}

void read_env(const TableReader& parent, const toml::node& node, Manifest& m) {
  TableReader r(parent.origin(), parent.table(node, "env"), "env.");
  r.each({"set", "prepend", "append", "unset", "clean"}, [&](std::string_view key, const toml::node& value) {
    if (key == "set") m.env.set = r.string_map(value, key);
    else if (key == "prepend") m.env.prepend = r.string_map(value, key);
    else if (key == "append") m.env.append = r.string_map(value, key);
    else if (key == "unset") m.env.unset = r.strings(value, key);
    else if (key == "clean") m.env.clean = r.boolean(value, key);
    else return false;
    return true;
  });
  auto check = [&](const std::string& name) {
    if (!valid_env_name(name)) fail_at(r.origin(), node.source(), fmt::format("env: '{}' is not a valid variable name", name));
  };
  for (const auto* map : {&m.env.set, &m.env.prepend, &m.env.append}) {
    for (const auto& [name, _] : *map) check(name);
  }
  for (const std::string& name : m.env.unset) check(name);
  for (const auto* map : {&m.env.set, &m.env.prepend, &m.env.append}) {
    for (const auto& [name, value] : *map) {
      if (std::string err = check_tokens(value, is_env_token); !err.empty()) {
        fail_at(r.origin(), node.source(), fmt::format("env: value of '{}' {}", name, err));
      }
    }
  }
}

RegistryValue read_registry_value(const TableReader& r, const toml::node& value, std::string_view key) {
  if (value.is_string()) return std::string(*value.value<std::string_view>());
  if (value.is_integer()) return *value.value<int64_t>();
  if (value.is_floating_point()) return *value.value<double>();
  if (value.is_boolean()) return *value.value<bool>();
  if (value.is_array()) return r.strings(value, key);
  r.wrong_type(value, key, "a string, integer, float, boolean or array of strings");
}

// [capture.family.NAME]: when = [absolute globs], include = [globs, absolute or
// relative to what `when` matched]; no tokens: a family describes the package's
// files, not a user's.
CaptureFamily read_family(const TableReader& parent, const toml::node& node, std::string_view name) {
  TableReader r(parent.origin(), parent.table(node, fmt::format("family.{}", name)), fmt::format("capture.family.{}.", name));
  CaptureFamily family;
  r.each({"when", "include"}, [&](std::string_view key, const toml::node& value) {
    if (key != "when" && key != "include") return false;
    std::vector<std::string> globs = r.strings(value, key);
    for (const std::string& glob : globs) {
      const bool absolute = !glob.empty() && glob[0] == '/';
      std::string why;
      if (glob.empty()) why = "is empty";
      else if (key == "when" && !absolute) why = "must be an absolute glob";
      else if (key == "include" && absolute && glob.find_first_of("*?[") != std::string::npos &&
               glob.find('/', 1) > glob.find_first_of("*?["))
        why = "would walk the whole file system: start it with a directory";
      if (!why.empty()) fail_at(r.origin(), value.source(), fmt::format("capture.family.{}.{}: '{}' {}", name, key, glob, why));
    }
    (key == "when" ? family.when : family.include) = std::move(globs);
    return true;
  });
  if (family.when.empty() || family.include.empty()) {
    fail_at(r.origin(), node.source(), fmt::format("capture.family.{} needs both 'when' and 'include'", name));
  }
  return family;
}

// runs = [["python3", "app.py"], ["python3", "app.py", "--export", "x.pdf"]]
std::vector<std::vector<std::string>> read_runs(const TableReader& r, const toml::node& value) {
  const toml::array* runs = value.as_array();
  if (!runs) r.wrong_type(value, "runs", "an array of commands (arrays of strings)");
  std::vector<std::vector<std::string>> out;
  for (const toml::node& run : *runs) {
    std::vector<std::string> argv = r.strings(run, "runs");
    if (argv.empty() || argv[0].empty()) fail_at(r.origin(), run.source(), "capture.runs: a command needs a program");
    out.push_back(std::move(argv));
  }
  return out;
}

void read_capture(const TableReader& parent, const toml::node& node, Manifest& m) {
  TableReader r(parent.origin(), parent.table(node, "capture"), "capture.");
  r.each({"runs", "allow", "deny", "family"}, [&](std::string_view key, const toml::node& value) {
    if (key == "family") {
      TableReader families(r.origin(), r.table(value, "family"), "capture.family.");
      families.each([&](std::string_view name, const toml::node& family) {
        m.capture.families[std::string(name)] = read_family(families, family, name);
        return true;
      });
      return true;
    }
    if (key == "runs") {
      m.capture.runs = read_runs(r, value);
      return true;
    }
    std::vector<std::string>* target = key == "allow" ? &m.capture.allow : key == "deny" ? &m.capture.deny : nullptr;
    if (!target) return false;
    *target = r.strings(value, key);
    for (const std::string& glob : *target) {
      std::string err = check_tokens(glob, is_path_token);
      if (!err.empty() || glob.empty() || (glob[0] != '/' && glob[0] != '~' && glob[0] != '$')) {
        fail_at(r.origin(), value.source(),
                fmt::format("capture.{}: '{}' must be an absolute glob (or start with ~ or $HOME){}", key, glob,
                            err.empty() ? "" : "; it has " + err));
      }
    }
    return true;
  });
}

void read_registry(const TableReader& parent, const toml::node& node, Manifest& m) {
  TableReader r(parent.origin(), parent.table(node, "registry"), "registry.");
  r.each([&](std::string_view key, const toml::node& value) {
    if (std::string why = check_registry_key(key); !why.empty()) {
      fail_at(r.origin(), value.source(), fmt::format("registry key '{}' {}", key, why));
    }
    m.registry.emplace(std::string(key), read_registry_value(r, value, key));
    return true;
  });
}

}  // namespace

std::optional<Isolation> parse_isolation(std::string_view text) {
  if (text == "host") return Isolation::Host;
  if (text == "merged") return Isolation::Merged;
  if (text == "writecopy") return Isolation::WriteCopy;
  if (text == "full") return Isolation::Full;
  return std::nullopt;
}

const char* to_string(Isolation mode) {
  switch (mode) {
    case Isolation::Host: return "host";
    case Isolation::Merged: return "merged";
    case Isolation::WriteCopy: return "writecopy";
    case Isolation::Full: return "full";
  }
  return "?";
}

bool valid_app_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id[0] == '.' || id[0] == '-') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

const EntryPoint& Manifest::entry(const std::string& entry_name) const {
  auto it = entries.find(entry_name.empty() ? default_entry : entry_name);
  if (it == entries.end()) {
    std::string known;
    for (const auto& [k, _] : entries) known += (known.empty() ? "" : ", ") + k;
    throw Error(Exit::Usage, fmt::format("package '{}' has no entry point '{}' (it has: {})", id, entry_name, known));
  }
  return it->second;
}

Manifest parse_manifest(std::string_view text, const std::string& origin) {
  toml::table root = parse_toml(text, origin);

  Manifest m;
  TableReader r(origin, root, "");
  r.each({"id", "name", "version", "default_entry", "entry", "files", "isolation", "env", "desktop", "registry", "capture",
          "permissions"},
         [&](std::string_view key, const toml::node& value) {
    if (key == "id") m.id = r.string(value, key);
    else if (key == "name") m.name = r.string(value, key);
    else if (key == "version") m.version = r.string(value, key);
    else if (key == "default_entry") m.default_entry = r.string(value, key);
    else if (key == "entry") {
      TableReader entries(origin, r.table(value, key), "entry.");
      entries.each([&](std::string_view name, const toml::node& node) {
        m.entries.emplace(std::string(name), read_entry(entries, node, name));
        return true;
      });
    } else if (key == "files") read_files(r, value, m);
    else if (key == "isolation") read_isolation(r, value, m);
    else if (key == "env") read_env(r, value, m);
    else if (key == "desktop") m.desktop = read_desktop(r.table(value, key), origin, "desktop.");
    else if (key == "registry") read_registry(r, value, m);
    else if (key == "capture") read_capture(r, value, m);
    else if (key == "permissions") m.permissions = read_permissions(r.table(value, key), origin);
    else return false;
    return true;
  });
  if (m.name.empty()) m.name = m.id;
  if (m.default_entry.empty() && m.entries.size() == 1) m.default_entry = m.entries.begin()->first;
  validate_manifest(m, origin);
  return m;
}

void validate_manifest(const Manifest& m, const std::string& origin) {
  auto fail = [&](std::string message) { throw Error(Exit::BadInput, fmt::format("{}: {}", origin, message)); };
  if (m.id.empty()) fail("'id' is required");
  if (!valid_app_id(m.id)) fail(fmt::format("id '{}' may hold only letters, digits, '.', '_' and '-'", m.id));
  if (m.version.empty()) fail("'version' is required");
  // Shown in lists and written into install records and desktop files, one value a line.
  if (!valid_utf8(m.version)) fail(fmt::format("version '{}' holds a control character or is not UTF-8", printable(m.version)));
  if (m.version.size() > 128) fail("'version' is longer than 128 bytes");
  if (m.entries.empty()) fail("at least one [entry.NAME] with a 'path' is required");
  for (const auto& [name, _] : m.entries) {
    if (!valid_app_id(name)) fail(fmt::format("entry name '{}' may hold only letters, digits, '.', '_' and '-'", name));
  }
  if (m.default_entry.empty()) fail("several entry points: set 'default_entry'");
  if (!m.entries.count(m.default_entry)) fail(fmt::format("default_entry '{}' names no [entry.{}]", m.default_entry, m.default_entry));
}

Manifest load_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_sys("cannot open manifest", path, errno, Exit::NoInput);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), path);
}

std::string write_manifest(const Manifest& m) {
  auto strings = [](const std::vector<std::string>& v) {
    toml::array a;
    for (const auto& s : v) a.push_back(s);
    return a;
  };
  auto string_table = [](const std::map<std::string, std::string>& map) {
    toml::table t;
    for (const auto& [k, v] : map) t.insert(k, v);
    return t;
  };

  toml::table root;
  root.insert("id", m.id);
  root.insert("name", m.name);
  root.insert("version", m.version);
  root.insert("default_entry", m.default_entry);
  toml::table entries;
  for (const auto& [name, e] : m.entries) {
    toml::table t;
    t.insert("path", e.path);
    if (!e.args.empty()) t.insert("args", strings(e.args));
    if (e.desktop) t.insert("desktop", write_desktop(*e.desktop));
    entries.insert(name, std::move(t));
  }
  root.insert("entry", std::move(entries));
  if (!m.include.empty() || !m.exclude.empty() || !m.hide.empty()) {
    toml::table files;
    if (!m.include.empty()) files.insert("include", strings(m.include));
    if (!m.exclude.empty()) files.insert("exclude", strings(m.exclude));
    if (!m.hide.empty()) files.insert("hide", strings(m.hide));
    root.insert("files", std::move(files));
  }
  if (!m.isolation.empty()) {
    toml::table iso;
    for (const auto& [prefix, mode] : m.isolation) iso.insert(prefix, to_string(mode));
    root.insert("isolation", std::move(iso));
  }
  const Environment& env = m.env;
  if (!env.set.empty() || !env.prepend.empty() || !env.append.empty() || !env.unset.empty() || env.clean) {
    toml::table t;
    if (env.clean) t.insert("clean", true);
    if (!env.set.empty()) t.insert("set", string_table(env.set));
    if (!env.prepend.empty()) t.insert("prepend", string_table(env.prepend));
    if (!env.append.empty()) t.insert("append", string_table(env.append));
    if (!env.unset.empty()) t.insert("unset", strings(env.unset));
    root.insert("env", std::move(t));
  }
  const CaptureRules& capture = m.capture;
  if (!capture.allow.empty() || !capture.deny.empty() || !capture.families.empty() || !capture.runs.empty()) {
    toml::table t;
    if (!capture.allow.empty()) t.insert("allow", strings(capture.allow));
    if (!capture.deny.empty()) t.insert("deny", strings(capture.deny));
    if (!capture.families.empty()) {
      toml::table families;
      for (const auto& [name, family] : capture.families) {
        toml::table f;
        f.insert("when", strings(family.when));
        f.insert("include", strings(family.include));
        families.insert(name, std::move(f));
      }
      t.insert("family", std::move(families));
    }
    if (!capture.runs.empty()) {
      toml::array runs;
      for (const auto& run : capture.runs) runs.push_back(strings(run));
      t.insert("runs", std::move(runs));
    }
    root.insert("capture", std::move(t));
  }
  if (!m.registry.empty()) {
    toml::table t;
    for (const auto& entry : m.registry) {
      const std::string& key = entry.first;  // named: clang 14 cannot capture a structured binding
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::vector<std::string>>) t.insert(key, strings(v));
            else t.insert(key, v);
          },
          entry.second);
    }
    root.insert("registry", std::move(t));
  }
  if (!m.permissions.declared.empty()) root.insert("permissions", write_permissions(m.permissions));
  if (m.desktop) root.insert("desktop", write_desktop(*m.desktop));
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

}  // namespace appv
