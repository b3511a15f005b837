#include "launch/permissions_plan.h"

#include <fmt/format.h>

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

std::optional<LaunchPlan::BusProxy> plan_bus(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan,
                                             const std::string& runtime, const BusRequest& req) {
  std::string bus = unix_path(req.address);
  if (bus.empty() && req.address.empty()) bus = req.default_path;
  const bool present = !bus.empty() && host.kind(bus) == NodeKind::Other;
  // A bus without a path (abstract, TCP) has nothing to bind over: the app gets the
  // proxy's socket itself, which it sees only where the runtime directory is in its view.
  const bool pathless = bus.empty() && !req.address.empty() && !runtime.empty();
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
    proxy.bus_in_view = pathless ? proxy.proxy_socket : bus;
    proxy.args.push_back("--filter");
    for (const std::string& name : req.talk) proxy.args.push_back("--talk=" + name);
    for (const std::string& name : req.own) proxy.args.push_back("--own=" + name);
    if (!pathless) {
      plan.mounts.ops.push_back(
          MountOp::bind(bus, proxy.proxy_socket, fmt::format("permission {}: the filtering proxy", req.permission)));
    }
    set_env(plan.env, req.env, "unix:path=" + proxy.bus_in_view);
    out = std::move(proxy);
  } else if (present) {
    cover(plan, bus, fmt::format("permission {}: not granted; the host's bus is never visible", req.permission));
  }
  // The host's bus at its usual path, when the environment named another: the app
  // must not find it there either.
  if (!req.default_path.empty() && req.default_path != bus && host.kind(req.default_path) == NodeKind::Other) {
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

}  // namespace

void plan_permissions(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan) {
  plan.own_network = !plan.permissions.granted("network");
  const auto it = in.user.find("XDG_RUNTIME_DIR");
  const std::string runtime = it == in.user.end() ? std::string() : it->second;

  plan.session_bus = plan_bus(in, host, plan, runtime,
                              {"session-bus", "DBUS_SESSION_BUS_ADDRESS", env_value(in.environ, "DBUS_SESSION_BUS_ADDRESS"),
                               runtime.empty() ? std::string() : runtime + "/bus", "bus", plan.permissions.talk,
                               plan.permissions.own});
  // The system bus answers uid 0 and polkit's questions: only the names a package
  // lists in system-talk, never owning one.
  plan.system_bus = plan_bus(in, host, plan, runtime,
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
      std::string perm;
      if (name.rfind("wayland-", 0) == 0) perm = "wayland";
      else if (name == "pulse") perm = "pulseaudio";
      else if (name.rfind("pipewire-", 0) == 0) perm = "pipewire";
      if (perm.empty() || plan.permissions.granted(perm) || name.find(".lock") != std::string::npos) continue;
      const std::string why = fmt::format("permission {}: not granted", perm);
      if (kind == NodeKind::Dir) plan.mounts.ops.push_back(MountOp::hide(path, why));
      else if (kind == NodeKind::Other) cover(plan, path, why);
    }
  }
}

}  // namespace appv
