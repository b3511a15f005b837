// Permissions: what a package asks of the host beyond its view (the manifest's
// [permissions] table, modelled on Flatpak's finish-args), and how they are resolved
// against the machine's policy and the user's --deny into what a launch grants.
//
//   [permissions]
//   network = true                  # share the host's network (false: loopback only)
//   session-bus = "filtered"        # "filtered" (through xdg-dbus-proxy) or "none"
//   talk = ["org.example.Foo"]      # session bus names the app may call (filtered)
//   own = ["org.example.App.*"]     # names it may own (its app id always)
//   system-bus = "none"             # "filtered" or "none"
//   system-talk = ["org.freedesktop.NetworkManager"]
//   x11 = true                      # /tmp/.X11-unix
//   wayland = true                  # $XDG_RUNTIME_DIR/wayland-*
//   pulseaudio = true               # $XDG_RUNTIME_DIR/pulse
//   pipewire = true                 # $XDG_RUNTIME_DIR/pipewire-*
//   devices = ["dri"]               # [] none, ["dri"] GPU render nodes, ["all"] every device
//
// Defaults (a manifest without the table): ordinary command-line and desktop apps
// work, the rest is denied. The network is granted by default, unlike Flatpak's: appv
// packages existing programs (git, curl, apt's tools) whose first use is the network,
// and a package built from a capture has no author to add a permission; an
// administrator takes it away per app in policy.toml, a user with `run --deny network`.
// The session bus is reachable only through the filtering proxy, with the names a
// GTK or Qt app needs (portals, accessibility, dconf) and its own id; no system bus;
// display and sound sockets on; /dev/dri on; no other device.
//
// Resolution: a permission is granted when the package asks for it (or by default)
// and neither a policy rule nor the user takes it away. Policy rules apply in file
// order, a later matching rule's `allow` lifting an earlier `deny`; `allow` never
// grants what the package did not ask for. The user can only take away.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace appv {

enum class BusAccess { None, Filtered };
std::string_view to_string(BusAccess access);

struct Permissions {
  bool network = true;
  BusAccess session_bus = BusAccess::Filtered;
  std::vector<std::string> talk;  // beyond the defaults in default_session_talk()
  std::vector<std::string> own;   // beyond the app id
  BusAccess system_bus = BusAccess::None;
  std::vector<std::string> system_talk;
  bool x11 = true, wayland = true, pulseaudio = true, pipewire = true;
  std::vector<std::string> devices{"dri"};  // each "dri" or "all"
  std::set<std::string> declared;           // the keys the manifest wrote (for "where it came from")
};

// The names of the permissions a policy or a user may take away, in display order:
// network, session-bus, system-bus, x11, wayland, pulseaudio, pipewire, dri, devices.
// "devices" is the all-devices grant; "dri" the render nodes.
const std::vector<std::string>& permission_names();
bool valid_permission_name(std::string_view name);
// "" or " (did you mean 'NAME'?)" for a misspelt permission or key.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& known);

// Names every filtered session bus may talk to: portals, accessibility, dconf.
const std::vector<std::string>& default_session_talk();

// One policy rule's or the user's word on one permission.
struct PermissionOverride {
  std::string name;    // a permission_names() entry
  bool allow = false;  // false: deny
  std::string source;  // "policy /etc/appv/policy.toml (apps 'org.*')", "command line --deny"
};

struct PermissionDecision {
  std::string name;
  bool granted = false;
  std::string detail;  // "filtered", "dri", ... ("" for booleans)
  std::string source;  // "default", "manifest", or the override that decided it
};

struct ResolvedPermissions {
  std::vector<PermissionDecision> decisions;  // permission_names() order
  std::vector<std::string> talk, own, system_talk;  // bus names, when the bus is granted
  // Names the package asked for that reach outside the view (restricted_bus_name) and
  // that no policy allowed, each as "talk NAME", "own NAME" or "system-talk NAME".
  std::vector<std::string> withheld;
  bool granted(std::string_view name) const;
};

// Whether a bus name, or a pattern ending in ".*" as xdg-dbus-proxy takes it, covers a
// service through which a client reaches outside any sandbox: runs commands
// (systemd's managers, Flatpak's HostCommand, KDE's launcher, GNOME Shell's Eval,
// PackageKit, udisks), reads every secret (the Secret Service, the keyrings), or skips
// the portals' checks (their backends). Owning such a name impersonates the service to
// the user's other programs. `system_bus` selects the system bus's list.
bool restricted_bus_name(std::string_view name, bool system_bus);

// `overrides` in order: the policy's, then the user's (whose `allow` is ignored: a
// user can only take away). Restricted names (restricted_bus_name) the package asks
// to talk to or own are withheld unless `allowed_bus_names` (the policy's, exact names
// or patterns) lists them.
ResolvedPermissions resolve_permissions(const Permissions& asked, const std::string& app_id,
                                        const std::vector<PermissionOverride>& overrides,
                                        const std::vector<std::string>& allowed_bus_names = {});

// What a package asks for, one "name: value" line each, for `appv info` and `install`.
std::vector<std::string> describe_permissions(const Permissions& p, const std::string& app_id);

}  // namespace appv
