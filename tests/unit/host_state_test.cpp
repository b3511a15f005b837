// launch/host_state.h: the host's users, time zone, DNS, machine id and CA store in
// the view whatever the isolation mode, planned against in-memory hosts.
#include <catch2/catch.hpp>

#include "launch/host_state.h"

using namespace appv;

namespace {

// A Debian-like host: /etc/localtime and /etc/resolv.conf are links, as systemd and
// tzdata make them; the CA store is a directory.
MemoryTree host_with_state() {
  MemoryTree t;
  for (const char* d : {"/usr/bin", "/usr/share/zoneinfo/Asia", "/usr/share/ca-certificates/mozilla", "/etc/ssl/certs",
                        "/proc", "/dev", "/sys", "/run/systemd/resolve", "/tmp", "/var/lib/dbus", "/home/u/Documents",
                        "/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes"}) {
    t.add(d, NodeKind::Dir);
  }
  for (const char* f : {"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/hostname", "/etc/machine-id",
                        "/usr/share/zoneinfo/Asia/Tokyo", "/run/systemd/resolve/stub-resolv.conf",
                        "/etc/ca-certificates.conf"}) {
    t.add(f, NodeKind::File);
  }
  t.add("/etc/localtime", NodeKind::Symlink, "/usr/share/zoneinfo/Asia/Tokyo");
  t.add("/etc/resolv.conf", NodeKind::Symlink, "../run/systemd/resolve/stub-resolv.conf");
  t.add("/etc/mtab", NodeKind::Symlink, "../proc/self/mounts");
  t.add("/var/lib/dbus/machine-id", NodeKind::Symlink, "/etc/machine-id");
  t.add("/bin", NodeKind::Symlink, "usr/bin");
  return t;
}

// A package made on another machine, from before capture left host state out: its
// /etc holds the packer's users and mail name.
MemoryTree package_with_stale_state() {
  MemoryTree t;
  t.add("/usr/bin/tool", NodeKind::File);
  t.add("/etc/passwd", NodeKind::File);
  t.add("/etc/mailname", NodeKind::File);
  t.add("/etc/app.conf", NodeKind::File);
  return t;
}

Manifest tool_manifest() {
  return parse_manifest("id = \"org.example.tool\"\nversion = \"1\"\n[entry.tool]\npath = \"/usr/bin/tool\"\n", "manifest.toml");
}

LaunchInputs inputs(const Manifest& m) {
  LaunchInputs in;
  in.kind = LaunchKind::Run;
  in.package_path = "tool.appv";
  in.manifest = &m;
  in.digest = "D";
  in.user = {{"HOME", "/home/u"}, {"USER", "u"}};
  in.cwd = "/home/u/Documents";
  in.pid = 7;
  in.cache = "/home/u/.cache/appv";
  in.sandboxes = "/home/u/.local/share/appv/sandboxes";
  in.identity = {1000, 1000, "u", "/home/u", "/bin/bash", "u", true, true};
  return in;
}

const std::string kSandbox = "/home/u/.local/share/appv/sandboxes/org.example.tool";

// "TARGET <- SOURCE" for each HostState op, "TARGET -> LINK" for a host-state link.
std::vector<std::string> host_state_ops(const LaunchPlan& plan) {
  std::vector<std::string> out;
  for (const MountOp& op : plan.mounts.ops) {
    if (op.type == MountOp::Type::HostState) out.push_back(op.target + " <- " + op.source);
    if (op.type == MountOp::Type::HostLink) out.push_back(op.target + " -> " + op.source);
  }
  return out;
}

}  // namespace

TEST_CASE("host state: the default view shows the host's files, links resolved, read-only over everything") {
  const Manifest m = tool_manifest();
  const LaunchPlan plan = plan_launch(inputs(m), host_with_state(), package_with_stale_state());
  CHECK(host_state_ops(plan) == std::vector<std::string>{
                                    "/etc/passwd <- /etc/passwd",
                                    "/etc/group <- /etc/group",
                                    "/etc/hosts <- /etc/hosts",
                                    "/etc/resolv.conf <- /run/systemd/resolve/stub-resolv.conf",
                                    "/etc/hostname <- /etc/hostname",
                                    // the package's mail name names the packing machine: covered
                                    "/etc/mailname <- " + kSandbox + "/.host/empty",
                                    "/etc/localtime <- /usr/share/zoneinfo/Asia/Tokyo",
                                    "/etc/machine-id <- /etc/machine-id",
                                    "/var/lib/dbus/machine-id <- /etc/machine-id",
                                    "/etc/mtab -> ../proc/self/mounts",
                                    "/etc/ca-certificates.conf <- /etc/ca-certificates.conf",
                                    "/etc/ssl/certs <- /etc/ssl/certs",
                                    "/usr/share/ca-certificates <- /usr/share/ca-certificates",
                                });
  // Host-state mounts come last: nothing the view mounts later covers them.
  REQUIRE_FALSE(plan.mounts.ops.empty());
  CHECK(plan.mounts.ops.back().type == MountOp::Type::HostState);
  REQUIRE(plan.generated.size() == 1);
  CHECK(plan.generated[0].path == kSandbox + "/.host/empty");
  CHECK(plan.generated[0].from.empty());
  CHECK(plan.generated[0].append.empty());
}

TEST_CASE("host state: a full /etc still shows the host's, and gets a mount table") {
  const Manifest m = tool_manifest();
  LaunchInputs in = inputs(m);
  in.isolate = {"/etc=full", "/usr=full"};
  const std::vector<std::string> ops = host_state_ops(plan_launch(in, host_with_state(), package_with_stale_state()));
  auto has = [&](const std::string& s) { return std::find(ops.begin(), ops.end(), s) != ops.end(); };
  CHECK(has("/etc/passwd <- /etc/passwd"));
  CHECK(has("/etc/localtime <- /usr/share/zoneinfo/Asia/Tokyo"));
  CHECK(has("/etc/mtab -> ../proc/self/mounts"));
  CHECK(has("/usr/share/ca-certificates <- /usr/share/ca-certificates"));
  // Neither the host nor the package has one: nothing to show or to cover.
  CHECK_FALSE(has("/etc/timezone <- " + kSandbox + "/.host/empty"));
  CHECK(std::none_of(ops.begin(), ops.end(), [](const std::string& s) { return s.rfind("/etc/timezone", 0) == 0; }));
}

TEST_CASE("host state: a user the host's files do not list gets a generated entry") {
  const Manifest m = tool_manifest();
  LaunchInputs in = inputs(m);
  in.identity = {1003, 1003, "tanaka", "/home/tanaka", "/bin/zsh", "tanaka", false, false};
  const LaunchPlan plan = plan_launch(in, host_with_state(), package_with_stale_state());
  const std::vector<std::string> ops = host_state_ops(plan);
  CHECK(std::find(ops.begin(), ops.end(), "/etc/passwd <- " + kSandbox + "/.host/passwd") != ops.end());
  CHECK(std::find(ops.begin(), ops.end(), "/etc/group <- " + kSandbox + "/.host/group") != ops.end());
  REQUIRE(plan.generated.size() == 3);
  CHECK(plan.generated[0].path == kSandbox + "/.host/passwd");
  CHECK(plan.generated[0].from == "/etc/passwd");
  CHECK(plan.generated[0].append == "tanaka:x:1003:1003:appv user:/home/tanaka:/bin/zsh\n");
  CHECK(plan.generated[1].append == "tanaka:x:1003:\n");
}

TEST_CASE("host state: host and merged trees show the host's own files; install capture is left alone") {
  const Manifest m = tool_manifest();
  LaunchInputs in = inputs(m);
  in.isolate = {"/etc=host"};
  const std::vector<std::string> ops = host_state_ops(plan_launch(in, host_with_state(), package_with_stale_state()));
  CHECK(std::none_of(ops.begin(), ops.end(), [](const std::string& s) { return s.rfind("/etc/", 0) == 0; }));
  CHECK(std::find(ops.begin(), ops.end(), "/usr/share/ca-certificates <- /usr/share/ca-certificates") != ops.end());

  LaunchInputs capture = inputs(m);
  capture.kind = LaunchKind::InstallCapture;
  capture.manifest = nullptr;
  capture.program = "/usr/bin/dpkg";
  capture.args = {"dpkg", "-i", "x.deb"};
  CHECK(host_state_ops(plan_launch(capture, host_with_state(), MemoryTree())).empty());
}

TEST_CASE("host state: generated entries never break the passwd format") {
  HostIdentity id{1003, 100, "a:b", "relative/home", "/bin/sh\nroot::0:0::/:/bin/sh", "x\nroot:x:0:", false, false};
  CHECK(passwd_entry(id) == "user1003:x:1003:100:appv user:/:/bin/sh\n");
  CHECK(group_entry(id) == "group100:x:100:\n");
  id.user = "-rf";
  CHECK(passwd_entry(id).rfind("user1003:", 0) == 0);
  id.user = "tanaka";
  id.home = "/home/tanaka";
  id.shell = "/bin/bash";
  CHECK(passwd_entry(id) == "tanaka:x:1003:100:appv user:/home/tanaka:/bin/bash\n");
}

TEST_CASE("host state: the table's paths, and the directories leading to them") {
  REQUIRE(host_state_path("/etc/passwd"));
  CHECK(host_state_path("/etc/passwd")->kind == HostStatePath::Kind::File);
  CHECK(host_state_path("/etc/mtab")->kind == HostStatePath::Kind::MountTable);
  CHECK_FALSE(host_state_path("/etc/passwd-"));
  CHECK_FALSE(host_state_path("/etc/ssl/certs/ca-certificates.crt"));
  CHECK(leads_to_host_state("/etc"));
  CHECK(leads_to_host_state("/usr/lib/ssl"));
  CHECK_FALSE(leads_to_host_state("/etc/ssl/certs"));
  CHECK_FALSE(leads_to_host_state("/etc/passwd"));
  CHECK_FALSE(leads_to_host_state("/opt"));
}

TEST_CASE("host state: what cannot be shown is left alone and said, not failed on") {
  const Manifest m = tool_manifest();
  MemoryTree package = package_with_stale_state();
  package.add("/etc/timezone/zone", NodeKind::File);  // a directory where a file belongs
  LaunchInputs in = inputs(m);
  in.isolate = {"/etc/hosts=full"};  // a rule at the path itself
  const LaunchPlan plan = plan_launch(in, host_with_state(), package);
  const std::vector<std::string> ops = host_state_ops(plan);
  CHECK(std::none_of(ops.begin(), ops.end(), [](const std::string& s) { return s.rfind("/etc/timezone", 0) == 0; }));
  CHECK(std::none_of(ops.begin(), ops.end(), [](const std::string& s) { return s.rfind("/etc/hosts ", 0) == 0; }));
  const auto& notes = plan.mounts.notes;
  CHECK(std::find(notes.begin(), notes.end(), "/etc/timezone: the package has a directory there; the host's is not shown") != notes.end());
  CHECK(std::find(notes.begin(), notes.end(), "/etc/hosts: a rule of its own places it; the host's is not shown") != notes.end());
}

TEST_CASE("host state: a rule below a host directory it covers is said not to apply") {
  const Manifest m = tool_manifest();
  LaunchInputs in = inputs(m);
  in.isolate = {"/etc/ssl/certs/extra.pem=full"};
  const LaunchPlan plan = plan_launch(in, host_with_state(), package_with_stale_state());
  const std::vector<std::string> ops = host_state_ops(plan);
  REQUIRE(std::any_of(ops.begin(), ops.end(), [](const std::string& s) { return s.rfind("/etc/ssl/certs ", 0) == 0; }));
  const auto& notes = plan.mounts.notes;
  CHECK(std::find(notes.begin(), notes.end(),
                  "/etc/ssl/certs/extra.pem: below the host's /etc/ssl/certs (CA trust store); rule /etc/ssl/certs/extra.pem full "
                  "not applied") != notes.end());
}
