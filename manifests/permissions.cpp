#include "manifests/permissions.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "manifests/manifest_tables.h"
#include "manifests/toml_reader.h"

namespace appv {
namespace {

const std::vector<std::string> kKeys{"network", "session-bus", "talk",     "own",      "system-bus", "system-talk",
                                     "x11",     "wayland",     "pulseaudio", "pipewire", "devices"};

// A well-known D-Bus name, or a prefix of them ending in ".*" (xdg-dbus-proxy's form).
bool valid_bus_name(std::string_view name) {
  if (name.size() > 2 && name.substr(name.size() - 2) == ".*") name.remove_suffix(2);
  if (name.empty() || name.size() > 255 || name.front() == '.' || name.back() == '.') return false;
  if (name.find('.') == std::string_view::npos || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

bool read_bool(const toml::node& v, const std::string& origin, std::string_view key) {
  if (!v.is_boolean()) toml_fail(origin, v.source(), fmt::format("'permissions.{}' must be true or false", key));
  return *v.value<bool>();
}

BusAccess read_bus(const toml::node& v, const std::string& origin, std::string_view key) {
  const std::optional<std::string_view> s = v.value<std::string_view>();
  if (v.is_string() && *s == "filtered") return BusAccess::Filtered;
  if (v.is_string() && *s == "none") return BusAccess::None;
  toml_fail(origin, v.source(), fmt::format("'permissions.{}' must be \"filtered\" or \"none\"", key));
}

std::vector<std::string> read_names(const toml::node& v, const std::string& origin, std::string_view key) {
  const toml::array* a = v.as_array();
  if (!a) toml_fail(origin, v.source(), fmt::format("'permissions.{}' must be an array of D-Bus names", key));
  std::vector<std::string> out;
  for (const toml::node& item : *a) {
    const std::optional<std::string_view> s = item.value<std::string_view>();
    if (!item.is_string() || !valid_bus_name(*s)) {
      toml_fail(origin, item.source(),
                fmt::format("'permissions.{}': each entry must be a D-Bus name such as org.example.Foo or org.example.*", key));
    }
    out.emplace_back(*s);
  }
  return out;
}

std::vector<std::string> read_devices(const toml::node& v, const std::string& origin) {
  const toml::array* a = v.as_array();
  if (!a) toml_fail(origin, v.source(), "'permissions.devices' must be an array: [], [\"dri\"] or [\"all\"]");
  std::vector<std::string> out;
  for (const toml::node& item : *a) {
    const std::optional<std::string_view> s = item.value<std::string_view>();
    if (!item.is_string() || (*s != "dri" && *s != "all")) {
      toml_fail(origin, item.source(), "'permissions.devices': each entry must be \"dri\" or \"all\"");
    }
    out.emplace_back(*s);
  }
  return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Whether the package asks for `name`, and its detail.
std::pair<bool, std::string> asked_for(const Permissions& p, const std::string& name) {
  if (name == "network") return {p.network, ""};
  if (name == "session-bus") return {p.session_bus != BusAccess::None, std::string(to_string(p.session_bus))};
  if (name == "system-bus") return {p.system_bus != BusAccess::None, std::string(to_string(p.system_bus))};
  if (name == "x11") return {p.x11, ""};
  if (name == "wayland") return {p.wayland, ""};
  if (name == "pulseaudio") return {p.pulseaudio, ""};
  if (name == "pipewire") return {p.pipewire, ""};
  if (name == "dri") return {has(p.devices, "dri") || has(p.devices, "all"), ""};
  if (name == "devices") return {has(p.devices, "all"), "all"};
  return {false, ""};
}

// The manifest key that decides a permission.
std::string key_of(const std::string& name) { return name == "dri" ? "devices" : name; }

}  // namespace

std::string_view to_string(BusAccess access) { return access == BusAccess::Filtered ? "filtered" : "none"; }

const std::vector<std::string>& permission_names() {
  static const std::vector<std::string> names{"network", "session-bus", "system-bus", "x11",    "wayland",
                                              "pulseaudio", "pipewire", "dri",        "devices"};
  return names;
}

bool valid_permission_name(std::string_view name) { return has(permission_names(), name); }

std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  const std::optional<std::string> best = closest_match(word, known);
  return best ? fmt::format(" (did you mean '{}'?)", *best) : "";
}

const std::vector<std::string>& default_session_talk() {
  static const std::vector<std::string> names{"org.freedesktop.portal.*", "org.a11y.Bus", "ca.desrt.dconf"};
  return names;
}

Permissions read_permissions(const toml::table& table, const std::string& origin) {
  Permissions p;
  for (auto&& [k, v] : table) {
    const std::string key(k.str());
    if (key == "network") p.network = read_bool(v, origin, key);
    else if (key == "session-bus") p.session_bus = read_bus(v, origin, key);
    else if (key == "talk") p.talk = read_names(v, origin, key);
    else if (key == "own") p.own = read_names(v, origin, key);
    else if (key == "system-bus") p.system_bus = read_bus(v, origin, key);
    else if (key == "system-talk") p.system_talk = read_names(v, origin, key);
    else if (key == "x11") p.x11 = read_bool(v, origin, key);
    else if (key == "wayland") p.wayland = read_bool(v, origin, key);
    else if (key == "pulseaudio") p.pulseaudio = read_bool(v, origin, key);
    else if (key == "pipewire") p.pipewire = read_bool(v, origin, key);
    else if (key == "devices") p.devices = read_devices(v, origin);
    else toml_fail(origin, k.source(), fmt::format("unknown key 'permissions.{}'{}", key, did_you_mean(key, kKeys)));
    p.declared.insert(key);
  }
  return p;
}

toml::table write_permissions(const Permissions& p) {
  auto names = [](const std::vector<std::string>& v) {
    toml::array a;
    for (const std::string& s : v) a.push_back(s);
    return a;
  };
  toml::table t;
  for (const std::string& key : p.declared) {
    if (key == "network") t.insert(key, p.network);
    else if (key == "session-bus") t.insert(key, std::string(to_string(p.session_bus)));
    else if (key == "talk") t.insert(key, names(p.talk));
    else if (key == "own") t.insert(key, names(p.own));
    else if (key == "system-bus") t.insert(key, std::string(to_string(p.system_bus)));
    else if (key == "system-talk") t.insert(key, names(p.system_talk));
    else if (key == "x11") t.insert(key, p.x11);
    else if (key == "wayland") t.insert(key, p.wayland);
    else if (key == "pulseaudio") t.insert(key, p.pulseaudio);
    else if (key == "pipewire") t.insert(key, p.pipewire);
    else if (key == "devices") t.insert(key, names(p.devices));
  }
  return t;
}

bool ResolvedPermissions::granted(std::string_view name) const {
  for (const PermissionDecision& d : decisions) {
    if (d.name == name) return d.granted;
  }
  return false;
}

namespace {

// The services restricted_bus_name() names. Each reaches outside a sandbox for whoever
// may call it (or be it, for owners).
constexpr std::string_view kRestrictedSessionNames[] = {
    "org.freedesktop.systemd1",        // StartTransientUnit: any command, outside the view
    "org.freedesktop.Flatpak",         // flatpak-spawn --host (HostCommand)
    "org.freedesktop.secrets",         // the Secret Service: every stored password
    "org.gnome.keyring",               // the same, GNOME's
    "org.kde.kwalletd5",               // the same, KDE's
    "org.kde.kwalletd6",
    "org.kde.klauncher5",              // starts programs
    "org.kde.KLauncher",
    "org.gnome.Shell",                 // Eval
    "org.freedesktop.impl.portal",     // portal backends: the portals' checks skipped
};
constexpr std::string_view kRestrictedSystemNames[] = {
    "org.freedesktop.systemd1",      // units as root (polkit asks users; root is not asked)
    "org.freedesktop.PackageKit",    // installs packages
    "org.freedesktop.UDisks2",       // mounts devices
    "org.freedesktop.machine1",      // shells in containers
    "org.freedesktop.import1",       // images onto the host
    "org.freedesktop.portable1",     // portable services
    "org.freedesktop.sysupdate1",
    "org.freedesktop.Flatpak.SystemHelper",
    "org.freedesktop.PolicyKit1",    // registers authentication agents
    "org.freedesktop.Accounts",      // users and their passwords
};

bool ends_with_wildcard(std::string_view name) { return name.size() >= 2 && name.substr(name.size() - 2) == ".*"; }
std::string_view base_of(std::string_view name) { return ends_with_wildcard(name) ? name.substr(0, name.size() - 2) : name; }
// "a.b.c" lies below "a.b".
bool below(std::string_view inner, std::string_view outer) {
  return inner.size() > outer.size() && inner.substr(0, outer.size()) == outer && inner[outer.size()] == '.';
}

// Whether `pattern` (a name, or "a.b.*" as xdg-dbus-proxy takes it: a.b and every name
// below it) reaches `service` or a name below it (a service's names are its own).
bool names_meet(std::string_view pattern, std::string_view service) {
  const std::string_view base = base_of(pattern);
  if (base == service || below(base, service)) return true;
  return ends_with_wildcard(pattern) && below(service, base);
}

// Whether the allowed name or pattern `outer` covers all that `inner` does.
bool covers(std::string_view outer, std::string_view inner) {
  if (outer == inner) return true;
  if (!ends_with_wildcard(outer)) return false;
  const std::string_view prefix = base_of(outer), inner_base = base_of(inner);
  return inner_base == prefix || below(inner_base, prefix);
}

bool allowed_by(const std::string& name, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return covers(a, name); });
}

// Moves the restricted names of `names` that `allowed` does not list into `withheld`.
void withhold_restricted(std::vector<std::string>& names, bool system_bus, std::string_view what,
                         const std::vector<std::string>& allowed, std::vector<std::string>& withheld) {
  std::erase_if(names, [&](const std::string& n) {
    if (!restricted_bus_name(n, system_bus) || allowed_by(n, allowed)) return false;
    withheld.push_back(fmt::format("{} {}", what, n));
    return true;
  });
}

}  // namespace

bool restricted_bus_name(std::string_view name, bool system_bus) {
  const auto meets = [&](std::string_view restricted) { return names_meet(name, restricted); };
  if (system_bus) return std::any_of(std::begin(kRestrictedSystemNames), std::end(kRestrictedSystemNames), meets);
  return std::any_of(std::begin(kRestrictedSessionNames), std::end(kRestrictedSessionNames), meets);
}

ResolvedPermissions resolve_permissions(const Permissions& asked, const std::string& app_id,
                                        const std::vector<PermissionOverride>& overrides,
                                        const std::vector<std::string>& allowed_bus_names) {
  ResolvedPermissions out;
  for (const std::string& name : permission_names()) {
    auto [granted, detail] = asked_for(asked, name);
    PermissionDecision d{name, granted, granted ? detail : "", asked.declared.count(key_of(name)) ? "manifest" : "default"};
    if (granted) {
      for (const PermissionOverride& o : overrides) {
        if (o.name != name) continue;
        d.granted = o.allow;
        d.source = o.source;
      }
      if (!d.granted) d.detail.clear();
    }
    out.decisions.push_back(std::move(d));
  }
  if (out.granted("session-bus")) {
    out.talk = default_session_talk();
    out.talk.insert(out.talk.end(), asked.talk.begin(), asked.talk.end());
    out.own = {app_id};
    out.own.insert(out.own.end(), asked.own.begin(), asked.own.end());
  }
  if (out.granted("system-bus")) out.system_talk = asked.system_talk;
  withhold_restricted(out.talk, false, "talk", allowed_bus_names, out.withheld);
  withhold_restricted(out.own, false, "own", allowed_bus_names, out.withheld);
  withhold_restricted(out.system_talk, true, "system-talk", allowed_bus_names, out.withheld);
  return out;
}

std::vector<std::string> describe_permissions(const Permissions& p, const std::string& app_id) {
  std::vector<std::string> out;
  const ResolvedPermissions r = resolve_permissions(p, app_id, {});
  for (const PermissionDecision& d : r.decisions) {
    std::string value = d.granted ? (d.detail.empty() ? "yes" : d.detail) : "no";
    out.push_back(fmt::format("{}: {}{}", d.name, value, d.source == "default" ? " (default)" : ""));
  }
  if (!r.talk.empty()) out.push_back(fmt::format("talk: {}", fmt::join(r.talk, ", ")));
  if (!r.own.empty()) out.push_back(fmt::format("own: {}", fmt::join(r.own, ", ")));
  if (!r.system_talk.empty()) out.push_back(fmt::format("system-talk: {}", fmt::join(r.system_talk, ", ")));
  if (!r.withheld.empty()) {
    out.push_back(fmt::format("withheld unless policy.toml allows (they reach outside the view): {}", fmt::join(r.withheld, ", ")));
  }
  return out;
}

}  // namespace appv
