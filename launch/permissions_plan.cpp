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
// for any other kind (an abstract socket is cut off by the network namespace alone).
std::string unix_path(const std::string& address) {
  const std::string prefix = "unix:path=";
  if (address.compare(0, prefix.size(), prefix) != 0) return {};
  std::string path = address.substr(prefix.size());
  if (size_t comma = path.find(','); comma != std::string::npos) path.resize(comma);
  if (size_t semi = path.find(';'); semi != std::string::npos) path.resize(semi);
  return !path.empty() && path[0] == '/' && path.find('%') == std::string::npos ? path : std::string();
}

bool exists(const TreeProbe& host, const std::string& path) { return host.kind(path) != NodeKind::Absent; }

// A socket or file the app must not reach: /dev/null bound over it (connect() is refused).
void cover(LaunchPlan& plan, const std::string& path, const std::string& why) {
  plan.mounts.ops.push_back(MountOp::bind(path, "/dev/null", why));
}

void plan_session_bus(const LaunchInputs& in, const TreeProbe& host, LaunchPlan& plan, const std::string& runtime) {
  const std::string address = env_value(in.environ, "DBUS_SESSION_BUS_ADDRESS");
  std::string bus = unix_path(address);
  if (bus.empty() && address.empty() && !runtime.empty()) bus = runtime + "/bus";
  const bool present = !bus.empty() && host.kind(bus) == NodeKind::Other;
  const bool granted = plan.permissions.granted("session-bus");
  if (granted && present) {
    LaunchPlan::BusProxy proxy;
    proxy.proxy_address = address.empty() ? "unix:path=" + bus : address;
    // Short (sun_path holds 108 bytes), per launch, on the host side in a directory
    // only the user can enter: the runtime directory's appv/, else the sandboxes
    // directory (which the view hides; the bind's source is read on the host side).
    proxy.proxy_socket = runtime.empty() ? fmt::format("{}/.bus-{}", in.sandboxes, in.pid)
                                         : fmt::format("{}/appv/bus-{}", runtime, in.pid);
    proxy.bus_in_view = bus;
    proxy.args.push_back("--filter");
    for (const std::string& name : plan.permissions.talk) proxy.args.push_back("--talk=" + name);
    for (const std::string& name : plan.permissions.own) proxy.args.push_back("--own=" + name);
    plan.mounts.ops.push_back(MountOp::bind(bus, proxy.proxy_socket, "permission session-bus: the filtering proxy"));
    set_env(plan.env, "DBUS_SESSION_BUS_ADDRESS", "unix:path=" + bus);
    plan.session_bus = std::move(proxy);
  } else if (present) {
    cover(plan, bus, "permission session-bus: not granted; the host's bus is never visible");
  }
  if (!granted) {
    std::erase_if(plan.env, [](const std::string& e) { return e.rfind("DBUS_SESSION_BUS_ADDRESS=", 0) == 0; });
  }
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

  plan_session_bus(in, host, plan, runtime);
  if (in.as_root) {
    for (const char* socket : kRootServiceSockets) {
      if (host.kind(socket) == NodeKind::Other) cover(plan, socket, "a root service's socket: no root launch reaches it");
    }
  }
  if (!plan.permissions.granted("system-bus") && exists(host, "/run/dbus/system_bus_socket")) {
    cover(plan, "/run/dbus/system_bus_socket", "permission system-bus: not granted");
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
