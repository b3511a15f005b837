#include "launch/permissions_plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "manifests/paths.h"

namespace appv {
namespace {

std::string env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') return e.substr(name.size() + 1);
  }
  return {};
}

void set_env(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  for (std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      e = name + "=" + value;
      return;
    }
  }
  env.push_back(name + "=" + value);
}

// The socket path of a D-Bus address "unix:path=/run/user/1000/bus[,guid=...]"; ""
// for any other kind (abstract, tmpdir, TCP), which the proxy reaches from the host
// side and the app through the proxy's own socket.
std::string unix_path(const std::string& address) {
  const std::string prefix = "unix:path=";
  if (address.compare(0, prefix.size(), prefix) != 0) return {};
  std::string path = address.substr(prefix.size());
  if (size_t comma = path.find(','); comma != std::string::npos) path.resize(comma);
  if (size_t semi = path.find(';'); semi != std::string::npos) path.resize(semi);
  return !path.empty() && path[0] == '/' && path.find('%') == std::string::npos ? path : std::string();
}

// A socket or file the app must not reach: /dev/null bound over it (connect() is refused).
void cover(LaunchPlan& plan, const std::string& path, const std::string& why) {
  plan.mounts.ops.push_back(MountOp::bind(path, "/dev/null", why));
}

// One bus, as the permission decides: through a proxy that allows `talk` and `own`, or
// covered. `address` is the host's (from the environment; "" for `default_path`), `env`
// the variable that names it for the app, `socket_name` the proxy socket's name.
struct BusRequest {
  std::string permission, env, address, default_path, socket_name;
  std::vector<std::string> talk, own;
};

// `private_runtime`: the app's runtime directory is its own (give_private_runtime):
// nothing of the host's is there to cover, and a bus without a path is shown there.
std::optional<LaunchPlan::BusProxy> plan_bus(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan,
                                             const std::string& runtime, bool private_runtime, const BusRequest& req) {
  std::string bus = unix_path(req.address);
  if (bus.empty() && req.address.empty()) bus = req.default_path;
  const bool present = !bus.empty() && host.kind(bus) == NodeKind::Other;
  // A bus without a path (abstract, TCP) has nothing to bind over: the app gets the
  // proxy's socket in its own runtime directory, or where the host's is in its view.
  const bool pathless = bus.empty() && !req.address.empty() && !runtime.empty();
  const auto hidden_anyway = [&](const std::string& path) { return private_runtime && path_has_prefix(path, runtime); };
  const bool granted = plan.permissions.granted(req.permission);
  std::optional<LaunchPlan::BusProxy> out;
  if (granted && (present || pathless)) {
    LaunchPlan::BusProxy proxy;
    proxy.proxy_address = req.address.empty() ? "unix:path=" + bus : req.address;
    // Short (sun_path holds 108 bytes), per launch, on the host side in a directory
    // only the user can enter: the runtime directory's appv/, else the sandboxes
    // directory (which the view hides; the bind's source is read on the host side).
    proxy.proxy_socket = runtime.empty() ? fmt::format("{}/.{}-{}", in.sandboxes, req.socket_name, in.pid)
                                         : fmt::format("{}/appv/{}-{}", runtime, req.socket_name, in.pid);
    proxy.bus_in_view = !pathless ? bus : private_runtime ? runtime + "/" + req.socket_name : proxy.proxy_socket;
    proxy.args.push_back("--filter");
    for (const std::string& name : req.talk) proxy.args.push_back("--talk=" + name);
    for (const std::string& name : req.own) proxy.args.push_back("--own=" + name);
    if (proxy.bus_in_view != proxy.proxy_socket) {
      plan.mounts.ops.push_back(MountOp::bind(proxy.bus_in_view, proxy.proxy_socket,
                                              fmt::format("permission {}: the filtering proxy", req.permission)));
    }
    set_env(plan.env, req.env, "unix:path=" + proxy.bus_in_view);
    out = std::move(proxy);
  } else if (present && !hidden_anyway(bus)) {
    cover(plan, bus, fmt::format("permission {}: not granted; the host's bus is never visible", req.permission));
  }
  // The host's bus at its usual path, when the environment named another: the app
  // must not find it there either.
  if (!req.default_path.empty() && req.default_path != bus && !hidden_anyway(req.default_path) &&
      host.kind(req.default_path) == NodeKind::Other) {
    cover(plan, req.default_path, fmt::format("permission {}: the host's bus at its usual path", req.permission));
  }
  if (!out) {
    const std::string prefix = req.env + "=";
    std::erase_if(plan.env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  }
  return out;
}

// Sockets of host services that grant whatever uid 0 asks: a root launch, which runs
// as the host's uid 0 with its capabilities dropped, would get them all back through
// one of these (systemd starting a unit, a container engine starting a privileged
// container, udev running a rule). A list of the well-known ones, not a proof: the
// threat model says so.
constexpr const char* kRootServiceSockets[] = {
    "/run/systemd/private",          "/run/systemd/io.systemd.ManagedOOM", "/run/docker.sock",
    "/run/containerd/containerd.sock", "/run/podman/podman.sock",          "/run/crio/crio.sock",
    "/run/udev/control",             "/run/snapd.socket",                  "/run/libvirt/libvirt-sock",
};

// The permission that lets a host entry of the runtime directory into the app's own:
// "" for an entry no permission names (the user's other services: systemd's
// private bus, gpg-agent, the keyring, podman, other launches' proxies).
std::string runtime_entry_permission(const std::string& name) {
  if (name.find(".lock") != std::string::npos) return {};
  if (name.rfind("wayland-", 0) == 0) return "wayland";
  if (name == "pulse") return "pulseaudio";
  if (name.rfind("pipewire-", 0) == 0) return "pipewire";
  // The accessibility bus (at-spi2): its address comes from org.a11y.Bus on the session
  // bus, and GTK and Qt apps connect to it directly.
  if (name == "at-spi") return "session-bus";
  return {};
}

// The app's own runtime directory, as Flatpak gives it: an empty tmpfs over
// $XDG_RUNTIME_DIR, into which only what the permissions grant is bound (by
// plan_permissions after this). Whatever else the user runs there — systemd's user
// manager, gpg-agent, the keyring, podman's API, other apps' bus proxies — is out of
// the app's reach. Mounts the view planned below it (a rule on a path there) move
// after the tmpfs so that they stay visible. Returns false, changing nothing, when a
// rule is about the directory itself (the user asked for it by name: it decides).
bool give_private_runtime(const std::string& runtime, LaunchPlan& plan) {
  std::vector<MountOp>& ops = plan.mounts.ops;
  if (std::any_of(ops.begin(), ops.end(), [&](const MountOp& op) { return op.target == runtime; })) return false;
  const auto not_below = [&](const MountOp& op) { return !path_has_prefix(op.target, runtime); };
  const auto first_below = std::stable_partition(ops.begin(), ops.end(), not_below);
  std::vector<MountOp> below(std::make_move_iterator(first_below), std::make_move_iterator(ops.end()));
  ops.erase(first_below, ops.end());
  ops.push_back(MountOp::tmpfs(runtime, "mode=0700", "the app's own runtime directory: only what its permissions grant"));
  std::move(below.begin(), below.end(), std::back_inserter(ops));
  return true;
}

}  // namespace

void plan_permissions(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan) {
  plan.own_network = !plan.permissions.granted("network");
  const auto it = in.user.find("XDG_RUNTIME_DIR");
  const std::string runtime = it == in.user.end() ? std::string() : it->second;
  const bool private_runtime = !runtime.empty() && host.kind(runtime) == NodeKind::Dir && give_private_runtime(runtime, plan);
  // The login's runtime directory when the environment names none (su, cron, ssh
  // without a session) or another: its bus and services are not the app's either.
  const std::string login_runtime = fmt::format("/run/user/{}", in.identity.uid);
  const bool related = !runtime.empty() && (path_has_prefix(runtime, login_runtime) || path_has_prefix(login_runtime, runtime));
  if (!related && host.kind(login_runtime) == NodeKind::Dir) {
    plan.mounts.ops.push_back(MountOp::hide(login_runtime, "the login's runtime directory, which the environment does not name"));
  }

  plan.session_bus = plan_bus(in, host, plan, runtime, private_runtime,
                              {"session-bus", "DBUS_SESSION_BUS_ADDRESS", env_value(in.environ, "DBUS_SESSION_BUS_ADDRESS"),
                               runtime.empty() ? std::string() : runtime + "/bus", "bus", plan.permissions.talk,
                               plan.permissions.own});
  // The system bus answers uid 0 and polkit's questions: only the names a package
  // lists in system-talk, never owning one.
  plan.system_bus = plan_bus(in, host, plan, runtime, private_runtime,
                             {"system-bus", "DBUS_SYSTEM_BUS_ADDRESS", env_value(in.environ, "DBUS_SYSTEM_BUS_ADDRESS"),
                              "/run/dbus/system_bus_socket", "system-bus", plan.permissions.system_talk, {}});
  if (in.as_root) {
    for (const char* socket : kRootServiceSockets) {
      if (host.kind(socket) == NodeKind::Other) cover(plan, socket, "a root service's socket: no root launch reaches it");
    }
  }
  if (!plan.permissions.granted("x11") && host.kind("/tmp/.X11-unix") == NodeKind::Dir) {
    plan.mounts.ops.push_back(MountOp::hide("/tmp/.X11-unix", "permission x11: not granted"));
  }
  if (!runtime.empty() && host.kind(runtime) == NodeKind::Dir) {
    for (const std::string& name : host.list(runtime)) {
      const std::string path = runtime + "/" + name;
      const NodeKind kind = host.kind(path);
      const std::string perm = runtime_entry_permission(name);
      if (perm.empty() || (kind != NodeKind::Dir && kind != NodeKind::Other)) continue;
      const bool granted = plan.permissions.granted(perm);
      if (private_runtime && granted) {
        plan.mounts.ops.push_back(MountOp::bind(path, path, fmt::format("permission {}: granted", perm)));
      } else if (!private_runtime && !granted && perm != "session-bus") {
        const std::string why = fmt::format("permission {}: not granted", perm);
        if (kind == NodeKind::Dir) plan.mounts.ops.push_back(MountOp::hide(path, why));
        else cover(plan, path, why);
      }
    }
  }
}

}  // namespace appv
