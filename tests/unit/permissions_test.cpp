// Permissions: the manifest's [permissions] table, its defaults, the policy's per-app
// deny/allow, the user's --deny, and what the resolved permissions put into a launch
// plan (network namespace, session bus proxy, hidden sockets).
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "launch/launch_plan.h"
#include "launch/plan_format.h"
#include "manifests/manifest.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
#include "vfs/trust.h"

using namespace appv;

namespace {

Manifest manifest(const std::string& extra = {}) {
  return parse_manifest("id = \"org.example.App\"\nversion = \"1\"\n[entry.app]\npath = \"/usr/bin/app\"\n" + extra,
                        "manifest.toml");
}

const PermissionDecision& decision(const ResolvedPermissions& r, const std::string& name) {
  auto it = std::find_if(r.decisions.begin(), r.decisions.end(), [&](const PermissionDecision& d) { return d.name == name; });
  REQUIRE(it != r.decisions.end());
  return *it;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("permissions: defaults let ordinary apps work and deny the rest") {
  const ResolvedPermissions r = resolve_permissions(manifest().permissions, "org.example.App", {});
  for (const char* name : {"network", "session-bus", "x11", "wayland", "pulseaudio", "pipewire", "dri"}) {
    INFO(name);
    CHECK(decision(r, name).granted);
    CHECK(decision(r, name).source == "default");
  }
  CHECK_FALSE(r.granted("system-bus"));
  CHECK_FALSE(r.granted("devices"));
  CHECK(decision(r, "session-bus").detail == "filtered");
  CHECK(has(r.talk, "org.freedesktop.portal.*"));
  CHECK(has(r.talk, "org.a11y.Bus"));
  CHECK(has(r.talk, "ca.desrt.dconf"));
  CHECK(r.own == std::vector<std::string>{"org.example.App"});
}

TEST_CASE("permissions: bus names that reach outside the view are withheld unless the policy allows them") {
  const Manifest m = manifest("[permissions]\ntalk = [\"org.freedesktop.systemd1\", \"org.kde.*\", \"org.example.Foo\"]\n"
                              "own = [\"org.freedesktop.secrets\"]\nsystem-bus = \"filtered\"\n"
                              "system-talk = [\"org.freedesktop.PackageKit\", \"org.freedesktop.NetworkManager\"]\n");
  const ResolvedPermissions r = resolve_permissions(m.permissions, m.id, {});
  CHECK(r.talk == std::vector<std::string>{"org.freedesktop.portal.*", "org.a11y.Bus", "ca.desrt.dconf", "org.example.Foo"});
  CHECK(r.own == std::vector<std::string>{"org.example.App"});
  CHECK(r.system_talk == std::vector<std::string>{"org.freedesktop.NetworkManager"});
  CHECK(r.withheld == std::vector<std::string>{"talk org.freedesktop.systemd1", "talk org.kde.*",
                                               "own org.freedesktop.secrets", "system-talk org.freedesktop.PackageKit"});
  // An app whose id is a restricted service's does not own it either.
  CHECK(resolve_permissions(manifest().permissions, "org.freedesktop.secrets", {}).own.empty());

  // The policy allows by name or pattern; a narrower allowance does not cover a wider ask.
  const ResolvedPermissions a =
      resolve_permissions(m.permissions, m.id, {}, {"org.freedesktop.systemd1", "org.kde.kwalletd5", "org.freedesktop.*"});
  CHECK(has(a.talk, "org.freedesktop.systemd1"));
  CHECK(has(a.own, "org.freedesktop.secrets"));
  CHECK(has(a.system_talk, "org.freedesktop.PackageKit"));
  CHECK(a.withheld == std::vector<std::string>{"talk org.kde.*"});

  CHECK(restricted_bus_name("org.freedesktop.impl.portal.desktop.gtk", false));
  CHECK(restricted_bus_name("org.freedesktop.*", false));
  CHECK_FALSE(restricted_bus_name("org.freedesktop.portal.*", false));
  CHECK_FALSE(restricted_bus_name("org.freedesktop.systemd1x", false));
  CHECK_FALSE(restricted_bus_name("org.freedesktop.NetworkManager", true));

  // The plan says what was withheld; policy.toml's bus_names reads as a list.
  appv::test::TempDir dir;
  appv::test::write_file(dir / "policy.toml", "[[rule]]\napps = \"org.example.*\"\nbus_names = [\"org.freedesktop.systemd1\"]\n");
  const Policy policy = load_policy(dir / "policy.toml");
  CHECK(policy_bus_names(policy, "org.example.App") == std::vector<std::string>{"org.freedesktop.systemd1"});
  CHECK(policy_bus_names(policy, "org.other.App").empty());
}

TEST_CASE("permissions: a manifest asks for less and more") {
  const Manifest m = manifest("[permissions]\nnetwork = false\nsession-bus = \"filtered\"\ntalk = [\"org.example.Foo\"]\n"
                              "own = [\"org.example.App.*\"]\nx11 = false\ndevices = []\nsystem-bus = \"filtered\"\n"
                              "system-talk = [\"org.freedesktop.NetworkManager\"]\n");
  const ResolvedPermissions r = resolve_permissions(m.permissions, m.id, {});
  CHECK_FALSE(r.granted("network"));
  CHECK(decision(r, "network").source == "manifest");
  CHECK_FALSE(r.granted("x11"));
  CHECK_FALSE(r.granted("dri"));
  CHECK(decision(r, "dri").source == "manifest");
  CHECK(r.granted("wayland"));
  CHECK(decision(r, "wayland").source == "default");
  CHECK(r.granted("system-bus"));
  CHECK(has(r.talk, "org.example.Foo"));
  CHECK(has(r.own, "org.example.App.*"));
  CHECK(r.system_talk == std::vector<std::string>{"org.freedesktop.NetworkManager"});
  // Written back and read again: the same permissions.
  const Manifest again = parse_manifest(write_manifest(m), "written.toml");
  CHECK(again.permissions.declared == m.permissions.declared);
  CHECK(again.permissions.network == false);
  CHECK(again.permissions.talk == m.permissions.talk);
  CHECK(again.permissions.devices.empty());
}

TEST_CASE("permissions: bad tables are refused with file:line:col") {
  CHECK_REFUSED(manifest("[permissions]\nnetwork = true\nnetwrk = false\n"), Exit::BadInput,
                "manifest.toml:7:1: unknown key 'permissions.netwrk' (did you mean 'network'?)");
  CHECK_REFUSED(manifest("[permissions]\nsession-bus = \"full\"\n"), Exit::BadInput,
                "manifest.toml:6:15: 'permissions.session-bus' must be \"filtered\" or \"none\"");
  CHECK_REFUSED(manifest("[permissions]\nnetwork = \"yes\"\n"), Exit::BadInput, "'permissions.network' must be true or false");
  CHECK_REFUSED(manifest("[permissions]\ntalk = [\"org..bad\"]\n"), Exit::BadInput, "manifest.toml:6:9: 'permissions.talk'");
  CHECK_REFUSED(manifest("[permissions]\ntalk = [\"nodots\"]\n"), Exit::BadInput, "must be a D-Bus name");
  CHECK_REFUSED(manifest("[permissions]\ndevices = [\"kvm\"]\n"), Exit::BadInput, "must be \"dri\" or \"all\"");
  CHECK_REFUSED(parse_manifest("permissions = 3\nid = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/a\"\n", "m.toml"),
                Exit::BadInput, "m.toml:1:15: 'permissions' must be a table");
}

TEST_CASE("permissions: policy denies and allows per app id, later rules win") {
  test::TempDir dir;
  const std::string path = dir / "policy.toml";
  test::write_file(path, "[[rule]]\napps = \"org.example.*\"\ndeny = [\"network\", \"session-bus\", \"x11\"]\n"
                         "[[rule]]\napps = \"org.example.App\"\nallow = [\"x11\", \"system-bus\"]\n"
                         "[[rule]]\napps = \"org.other.*\"\ndeny = [\"pulseaudio\"]\n");
  const Policy policy = load_policy(path);
  const std::vector<PermissionOverride> o = policy_permission_overrides(policy, "org.example.App");
  const ResolvedPermissions r = resolve_permissions(manifest().permissions, "org.example.App", o);
  CHECK_FALSE(r.granted("network"));
  CHECK(decision(r, "network").source == "policy " + path + " (apps 'org.example.*')");
  CHECK_FALSE(r.granted("session-bus"));
  CHECK(r.talk.empty());
  CHECK(r.granted("x11"));  // lifted by the later rule
  CHECK(decision(r, "x11").source == "policy " + path + " (apps 'org.example.App')");
  CHECK_FALSE(r.granted("system-bus"));  // allow never grants what the package did not ask for
  CHECK(r.granted("pulseaudio"));        // another app's rule

  // The user takes away after the policy; and cannot add what the policy denies.
  std::vector<PermissionOverride> with_user = o;
  with_user.push_back({"x11", false, "command line --deny x11"});
  const ResolvedPermissions u = resolve_permissions(manifest().permissions, "org.example.App", with_user);
  CHECK_FALSE(u.granted("x11"));
  CHECK(decision(u, "x11").source == "command line --deny x11");
  CHECK_FALSE(u.granted("network"));
}

TEST_CASE("permissions: a policy naming an unknown permission is refused") {
  test::TempDir dir;
  const std::string path = dir / "policy.toml";
  test::write_file(path, "[[rule]]\napps = \"*\"\ndeny = [\"netwrk\"]\n");
  CHECK_REFUSED(load_policy(path), Exit::BadInput, path + ":3:8: 'deny': unknown permission 'netwrk' (did you mean 'network'?)");
}

namespace {

MemoryTree desktop_host() {
  MemoryTree t;
  for (const char* d : {"/usr/bin", "/etc", "/proc", "/dev/dri", "/dev/pts", "/dev/input", "/sys", "/run/user/1000/pulse", "/tmp/.X11-unix",
                        "/home/u", "/cache/D/root", "/sandboxes"}) {
    t.add(d, NodeKind::Dir);
  }
  t.add("/run/user/1000/bus", NodeKind::Other);
  t.add("/run/user/1000/wayland-0", NodeKind::Other);
  t.add("/run/user/1000/wayland-0.lock", NodeKind::File);
  t.add("/run/user/1000/pipewire-0", NodeKind::Other);
  t.add("/run/dbus/system_bus_socket", NodeKind::Other);
  for (const char* node : {"/dev/null", "/dev/zero", "/dev/tty", "/dev/ptmx", "/dev/sda", "/dev/console", "/dev/pts/7"}) {
    t.add(node, NodeKind::Other);
  }
  t.add("/dev/log", NodeKind::Symlink, "/run/systemd/journal/dev-log");
  return t;
}

LaunchInputs inputs(const Manifest& m) {
  LaunchInputs in;
  in.manifest = &m;
  in.digest = "D";
  in.user = {{"HOME", "/home/u"}, {"USER", "u"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}};
  in.cwd = "/home/u";
  in.environ = {"HOME=/home/u", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"};
  in.pid = 42;
  in.cache = "/cache";
  in.sandboxes = "/sandboxes";
  return in;
}

std::vector<std::string> targets(const LaunchPlan& plan, const std::string& why_prefix) {
  std::vector<std::string> out;
  for (const MountOp& op : plan.mounts.ops) {
    if (op.why.rfind(why_prefix, 0) == 0) out.push_back(op.target + (op.type == MountOp::Type::Hide ? " hide" : " <- " + op.source));
  }
  return out;
}

}  // namespace

TEST_CASE("permissions in the launch plan: defaults proxy the session bus and hide the system bus") {
  const Manifest m = manifest();
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const LaunchPlan plan = plan_launch(inputs(m), desktop_host(), package);
  CHECK_FALSE(plan.own_network);
  REQUIRE(plan.session_bus);
  CHECK(plan.session_bus->proxy_address == "unix:path=/run/user/1000/bus");
  CHECK(plan.session_bus->proxy_socket == "/run/user/1000/appv/bus-42");
  CHECK(plan.session_bus->bus_in_view == "/run/user/1000/bus");
  CHECK(has(plan.session_bus->args, "--filter"));
  CHECK(has(plan.session_bus->args, "--talk=org.a11y.Bus"));
  CHECK(has(plan.session_bus->args, "--own=org.example.App"));
  CHECK(targets(plan, "permission") ==
        std::vector<std::string>{"/dev/dri <- /dev/dri", "/run/user/1000/bus <- /run/user/1000/appv/bus-42",
                                 "/run/dbus/system_bus_socket <- /dev/null",
                                 "/run/user/1000/pipewire-0 <- /run/user/1000/pipewire-0",
                                 "/run/user/1000/pulse <- /run/user/1000/pulse",
                                 "/run/user/1000/wayland-0 <- /run/user/1000/wayland-0"});
  CHECK(has(plan.env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"));
  const std::string text = format_launch_plan(plan, inputs(m).environ);
  CHECK_THAT(text, Catch::Contains("network      granted          (default)"));
  CHECK_THAT(text, Catch::Contains("system-bus   denied           (default)"));
}

TEST_CASE("permissions in the launch plan: what is not granted is hidden, the network is the app's own") {
  const Manifest m = manifest("[permissions]\nnetwork = false\nx11 = false\nwayland = false\npulseaudio = false\n"
                              "pipewire = false\ndevices = []\nsession-bus = \"none\"\n");
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const LaunchPlan plan = plan_launch(inputs(m), desktop_host(), package);
  CHECK(plan.own_network);
  CHECK_FALSE(plan.session_bus);
  // The runtime directory is the app's own: nothing of the host's is bound into it.
  CHECK(targets(plan, "permission") ==
        std::vector<std::string>{"/run/dbus/system_bus_socket <- /dev/null", "/tmp/.X11-unix hide"});
  CHECK(targets(plan, "the app's own runtime") == std::vector<std::string>{"/run/user/1000 <- mode=0700"});
  CHECK(std::none_of(plan.env.begin(), plan.env.end(),
                     [](const std::string& e) { return e.rfind("DBUS_SESSION_BUS_ADDRESS=", 0) == 0; }));
  // A view with other permissions is another view: no joining across them.
  const Manifest d = manifest();
  CHECK(plan.view_id != plan_launch(inputs(d), desktop_host(), package).view_id);
}

TEST_CASE("permissions in the launch plan: a granted system bus is a second proxy, talking only to system-talk") {
  const Manifest m = manifest("[permissions]\nsystem-bus = \"filtered\"\nsystem-talk = [\"org.freedesktop.NetworkManager\"]\n");
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const LaunchPlan plan = plan_launch(inputs(m), desktop_host(), package);
  REQUIRE(plan.system_bus);
  CHECK(plan.system_bus->proxy_address == "unix:path=/run/dbus/system_bus_socket");
  CHECK(plan.system_bus->proxy_socket == "/run/user/1000/appv/system-bus-42");
  CHECK(plan.system_bus->bus_in_view == "/run/dbus/system_bus_socket");
  CHECK(plan.system_bus->args == std::vector<std::string>{"--filter", "--talk=org.freedesktop.NetworkManager"});
  CHECK(has(targets(plan, "permission system-bus"), "/run/dbus/system_bus_socket <- /run/user/1000/appv/system-bus-42"));
  CHECK(has(plan.env, "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket"));
  CHECK_THAT(format_launch_plan(plan, inputs(m).environ),
             Catch::Contains("system bus: xdg-dbus-proxy for unix:path=/run/dbus/system_bus_socket at "
                             "/run/user/1000/appv/system-bus-42, shown at /run/dbus/system_bus_socket"));
  CHECK(nlohmann::json::parse(launch_plan_json(plan))["permissions"]["system_bus_proxy"]["in_view"] ==
        "/run/dbus/system_bus_socket");
}

TEST_CASE("permissions in the launch plan: the system bus named by DBUS_SYSTEM_BUS_ADDRESS, and its usual path covered") {
  MemoryTree host = desktop_host();
  host.add("/tmp/sysbus", NodeKind::Other);
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  LaunchInputs in = inputs(manifest());
  const Manifest granted = manifest("[permissions]\nsystem-bus = \"filtered\"\n");
  in.manifest = &granted;
  in.environ.push_back("DBUS_SYSTEM_BUS_ADDRESS=unix:path=/tmp/sysbus");
  const LaunchPlan plan = plan_launch(in, host, package);
  REQUIRE(plan.system_bus);
  CHECK(plan.system_bus->proxy_address == "unix:path=/tmp/sysbus");
  CHECK(targets(plan, "permission system-bus") ==
        std::vector<std::string>{"/tmp/sysbus <- /run/user/1000/appv/system-bus-42", "/run/dbus/system_bus_socket <- /dev/null"});

  const Manifest denied = manifest();
  in.manifest = &denied;
  const LaunchPlan refused = plan_launch(in, host, package);
  CHECK_FALSE(refused.system_bus);
  CHECK(targets(refused, "permission system-bus") ==
        std::vector<std::string>{"/tmp/sysbus <- /dev/null", "/run/dbus/system_bus_socket <- /dev/null"});
  CHECK(std::none_of(refused.env.begin(), refused.env.end(),
                     [](const std::string& e) { return e.rfind("DBUS_SYSTEM_BUS_ADDRESS=", 0) == 0; }));
}

TEST_CASE("permissions in the launch plan: a session bus without a path is reached through the proxy's socket") {
  const Manifest m = manifest();
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  LaunchInputs in = inputs(m);
  in.environ = {"HOME=/home/u", "DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-XYZ,guid=0123"};
  const LaunchPlan plan = plan_launch(in, desktop_host(), package);
  REQUIRE(plan.session_bus);
  CHECK(plan.session_bus->proxy_address == "unix:abstract=/tmp/dbus-XYZ,guid=0123");
  // The proxy's socket is shown at the usual place in the app's own runtime directory
  // (the host's bus socket there is not the app's to see).
  CHECK(plan.session_bus->bus_in_view == "/run/user/1000/bus");
  CHECK(has(plan.env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"));
  CHECK(targets(plan, "permission session-bus") == std::vector<std::string>{"/run/user/1000/bus <- /run/user/1000/appv/bus-42"});

  in.user.erase("XDG_RUNTIME_DIR");
  const LaunchPlan without_runtime = plan_launch(in, desktop_host(), package);
  CHECK_FALSE(without_runtime.session_bus);
  CHECK(std::none_of(without_runtime.env.begin(), without_runtime.env.end(),
                     [](const std::string& e) { return e.rfind("DBUS_SESSION_BUS_ADDRESS=", 0) == 0; }));
}

TEST_CASE("permissions in the launch plan: the runtime directory is the app's own, with only what is granted") {
  MemoryTree host = desktop_host();
  // The user's other services and another launch's bus proxy.
  host.add("/run/user/1000/systemd", NodeKind::Dir);
  host.add("/run/user/1000/systemd/private", NodeKind::Other);
  host.add("/run/user/1000/gnupg", NodeKind::Dir);
  host.add("/run/user/1000/gnupg/S.gpg-agent", NodeKind::Other);
  host.add("/run/user/1000/appv", NodeKind::Dir);
  host.add("/run/user/1000/appv/bus-7", NodeKind::Other);
  host.add("/run/user/1000/at-spi", NodeKind::Dir);
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.identity.uid = 1000;
  const LaunchPlan plan = plan_launch(in, host, package);
  const std::vector<MountOp>& ops = plan.mounts.ops;
  const auto tmpfs = std::find_if(ops.begin(), ops.end(), [](const MountOp& op) {
    return op.type == MountOp::Type::Tmpfs && op.target == "/run/user/1000";
  });
  REQUIRE(tmpfs != ops.end());
  CHECK(tmpfs->source == "mode=0700");
  // Every op below it comes after it: a bind before the tmpfs would be covered by it.
  std::vector<std::string> below;
  for (auto op = ops.begin(); op != ops.end(); ++op) {
    if (op->target.rfind("/run/user/1000/", 0) != 0) continue;
    CHECK(op > tmpfs);
    below.push_back(op->target + " <- " + op->source);
  }
  CHECK(below == std::vector<std::string>{"/run/user/1000/bus <- /run/user/1000/appv/bus-42",
                                          "/run/user/1000/at-spi <- /run/user/1000/at-spi",
                                          "/run/user/1000/pipewire-0 <- /run/user/1000/pipewire-0",
                                          "/run/user/1000/pulse <- /run/user/1000/pulse",
                                          "/run/user/1000/wayland-0 <- /run/user/1000/wayland-0"});

  // Without XDG_RUNTIME_DIR (su, cron, ssh without a session) the login's runtime
  // directory, bus included, is hidden whole; no bus is planned.
  in.user.erase("XDG_RUNTIME_DIR");
  in.environ = {"HOME=/home/u"};
  const LaunchPlan bare = plan_launch(in, host, package);
  CHECK(has(targets(bare, "the login's runtime"), std::string("/run/user/1000 hide")));
  CHECK_FALSE(bare.session_bus);

  // A rule about the runtime directory itself decides (the user asked for it by name).
  in = inputs(m);
  in.identity.uid = 1000;
  in.isolate = {"/run/user/1000=host"};
  const LaunchPlan asked = plan_launch(in, host, package);
  CHECK(targets(asked, "the app's own runtime").empty());
  CHECK(has(targets(asked, "permission session-bus"), std::string("/run/user/1000/bus <- /run/user/1000/appv/bus-42")));
}

namespace {

// The ops at or below /dev, /proc and /sys, as "type target [<- source]".
std::vector<std::string> kernel_ops(const LaunchPlan& plan) {
  std::vector<std::string> out;
  for (const MountOp& op : plan.mounts.ops) {
    const std::string& t = op.target;
    if (op.type == MountOp::Type::Dir || !(t == "/dev" || t.rfind("/dev/", 0) == 0 || t == "/proc" || t == "/sys")) continue;
    switch (op.type) {
      case MountOp::Type::Bind: out.push_back("bind " + t + " <- " + op.source); break;
      case MountOp::Type::BindReadOnly: out.push_back("bind-ro " + t + " <- " + op.source); break;
      case MountOp::Type::Proc: out.push_back("proc " + t); break;
      case MountOp::Type::Tmpfs: out.push_back("tmpfs " + t + " " + op.source); break;
      case MountOp::Type::Devpts: out.push_back("devpts " + t); break;
      case MountOp::Type::Symlink: out.push_back("symlink " + t + " -> " + op.source); break;
      case MountOp::Type::Hide: out.push_back("hide " + t); break;
      default: out.push_back("other " + t); break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("permissions in the launch plan: a new proc, a read-only /sys, and only the basic devices") {
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const Manifest none = manifest("[permissions]\ndevices = []\n");
  LaunchInputs started_from_terminal = inputs(none);
  started_from_terminal.tty = "/dev/pts/7";
  const LaunchPlan plan = plan_launch(started_from_terminal, desktop_host(), package);
  // No disk (/dev/sda), console, input devices, GPU or the host's other terminals:
  // only what every program uses, and the terminal appv was started from.
  CHECK(kernel_ops(plan) == std::vector<std::string>{"tmpfs /dev mode=0755",
                                                     "bind /dev/null <- /dev/null",
                                                     "bind /dev/zero <- /dev/zero",
                                                     "bind /dev/tty <- /dev/tty",
                                                     "devpts /dev/pts",
                                                     "symlink /dev/ptmx -> pts/ptmx",
                                                     "bind /dev/console <- /dev/pts/7",
                                                     "tmpfs /dev/shm mode=1777",
                                                     "symlink /dev/log -> /run/systemd/journal/dev-log",
                                                     "symlink /dev/fd -> /proc/self/fd",
                                                     "symlink /dev/stdin -> /proc/self/fd/0",
                                                     "symlink /dev/stdout -> /proc/self/fd/1",
                                                     "symlink /dev/stderr -> /proc/self/fd/2",
                                                     "proc /proc",
                                                     "bind-ro /sys <- /sys"});

  // The default grants the GPU.
  const std::vector<std::string> dri = kernel_ops(plan_launch(inputs(manifest()), desktop_host(), package));
  CHECK(std::count(dri.begin(), dri.end(), "bind /dev/dri <- /dev/dri") == 1);
  CHECK(std::count(dri.begin(), dri.end(), "bind /dev/input <- /dev/input") == 0);

  // "all": the host's /dev as it is; /proc and /sys stay narrowed.
  const std::vector<std::string> all = kernel_ops(plan_launch(inputs(manifest("[permissions]\ndevices = [\"all\"]\n")), desktop_host(), package));
  CHECK(all == std::vector<std::string>{"bind /dev <- /dev", "proc /proc", "bind-ro /sys <- /sys"});
  // Without a terminal (a desktop launch, a service), nothing is bound at /dev/console.
  const std::vector<std::string> no_tty = kernel_ops(plan_launch(inputs(none), desktop_host(), package));
  CHECK(std::count(no_tty.begin(), no_tty.end(), "bind /dev/console <- /dev/pts/7") == 0);

  // A user's rule on /dev is theirs: the sandbox's own empty /dev, nothing of the host added.
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.isolate.push_back("/dev=full");
  const std::vector<std::string> full = kernel_ops(plan_launch(in, desktop_host(), package));
  CHECK(full == std::vector<std::string>{"bind /dev <- /sandboxes/org.example.App/upper/dev", "proc /proc", "bind-ro /sys <- /sys"});
}

TEST_CASE("permissions in the launch plan: a root launch does not reach root services' sockets") {
  MemoryTree host = desktop_host();
  host.add("/run/systemd/private", NodeKind::Other);
  host.add("/run/docker.sock", NodeKind::Other);
  MemoryTree package;
  package.add("/usr/bin/app", NodeKind::File);
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.as_root = true;
  const std::vector<std::string> covered = targets(plan_launch(in, host, package), "a root service");
  CHECK(covered == std::vector<std::string>{"/run/systemd/private <- /dev/null", "/run/docker.sock <- /dev/null"});
  // A user reaches them with the user's own rights (systemd and dockerd ask who it is).
  in.as_root = false;
  CHECK(targets(plan_launch(in, host, package), "a root service").empty());
}
