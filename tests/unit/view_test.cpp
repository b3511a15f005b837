#include <catch2/catch.hpp>

#include "manifests/error.h"
#include "vfs/view.h"

using namespace appv;

namespace {

// A merged-/usr host like Debian 12's.
MemoryTree debian_host() {
  MemoryTree t;
  for (const char* d : {"/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/etc", "/proc", "/dev", "/sys", "/run",
                        "/tmp", "/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes/app", "/var/lib", "/opt"}) {
    t.add(d, NodeKind::Dir);
  }
  t.add("/bin", NodeKind::Symlink, "usr/bin");
  t.add("/lib", NodeKind::Symlink, "usr/lib");
  t.add("/lib64", NodeKind::Symlink, "usr/lib64");
  t.add("/etc/passwd", NodeKind::File);
  return t;
}

MemoryTree jq_package() {
  MemoryTree t;
  t.add("/usr/bin/jq", NodeKind::File);
  t.add("/usr/lib/x86_64-linux-gnu/libc.so.6", NodeKind::File);
  t.add("/lib", NodeKind::Symlink, "usr/lib");
  t.add("/lib64", NodeKind::Symlink, "usr/lib64");
  return t;
}

const Layout kLayout{"/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes/app"};

const MountOp* find(const Plan& plan, const std::string& target, MountOp::Type type) {
  for (const MountOp& op : plan.ops) {
    if (op.target == target && op.type == type) return &op;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("rules: the longest prefix wins, later rules replace earlier ones") {
  RuleSet r = default_rules("/home/u", "/home/u/work");
  CHECK(r.lookup("/usr/bin/jq").mode == Isolation::WriteCopy);
  CHECK(r.lookup("/proc/self").mode == Isolation::Host);
  CHECK(r.lookup("/home/u/doc.txt").mode == Isolation::Merged);
  CHECK(r.lookup("/tmp/x").mode == Isolation::Merged);
  CHECK(r.rules().count("/home/u/work") == 0);  // already merged through $HOME
  r.set("/usr", Isolation::Full, "--isolate");
  CHECK(r.lookup("/usr/bin/jq").mode == Isolation::Full);
  CHECK(r.lookup("/usr").origin == "--isolate");
  RuleSet in_usr = default_rules("/root", "/usr/src/project");
  CHECK(in_usr.lookup("/usr/src/project/a.c").mode == Isolation::Merged);
  CHECK(in_usr.lookup("/root/.bashrc").origin == "default ($HOME)");
}

TEST_CASE("isolate arguments (PREFIX=MODE) are checked") {
  Rule r = parse_rule_arg("/usr=full");
  CHECK(r.prefix == "/usr");
  CHECK(r.mode == Isolation::Full);
  CHECK_THROWS_AS(parse_rule_arg("/usr"), Error);
  CHECK_THROWS_AS(parse_rule_arg("/usr=sealed"), Error);
  CHECK_THROWS_AS(parse_rule_arg("usr=full"), Error);
  CHECK_THROWS_AS(parse_rule_arg("/usr/=full"), Error);
}

TEST_CASE("writecopy puts the package over the host with the sandbox on top") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = default_rules("/home/u", "/");
  Plan plan = make_plan(rules, host, pkg, kLayout);
  const MountOp* usr = find(plan, "/usr", MountOp::Type::Overlay);
  REQUIRE(usr);
  CHECK(usr->lowers == std::vector<std::string>{kLayout.package_root + "/usr", "/usr"});
  CHECK(usr->upper == kLayout.sandbox + "/upper/usr");
  CHECK(usr->work == kLayout.sandbox + "/work/usr");
  const MountOp* etc = find(plan, "/etc", MountOp::Type::Overlay);
  REQUIRE(etc);
  CHECK(etc->lowers == std::vector<std::string>{"/etc"});
  // The package's own links at the top level become links in the new root.
  const MountOp* lib64 = find(plan, "/lib64", MountOp::Type::Symlink);
  REQUIRE(lib64);
  CHECK(lib64->source == "usr/lib64");
  CHECK(find(plan, "/bin", MountOp::Type::Symlink));
  CHECK(find(plan, "/proc", MountOp::Type::Bind)->source == "/proc");
  CHECK(find(plan, "/home", MountOp::Type::Bind));
  // Files at the top of the host cannot be mounted on a directory; they are noted.
  CHECK(plan.notes.empty());
}

TEST_CASE("full hides the host: only the package and the sandbox are layers") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/usr", Isolation::Full, "--isolate");
  rules.set("/etc", Isolation::Full, "--isolate");
  Plan plan = make_plan(rules, host, pkg, kLayout);
  const MountOp* usr = find(plan, "/usr", MountOp::Type::Overlay);
  REQUIRE(usr);
  CHECK(usr->lowers == std::vector<std::string>{kLayout.package_root + "/usr"});
  // The package has no /etc: the app gets an empty, writable /etc in its sandbox.
  const MountOp* etc = find(plan, "/etc", MountOp::Type::Bind);
  REQUIRE(etc);
  CHECK(etc->source == kLayout.sandbox + "/upper/etc");
  CHECK_FALSE(find(plan, "/etc", MountOp::Type::Overlay));
}

TEST_CASE("a host symlink at the top resolves inside the host for a package directory") {
  MemoryTree host = debian_host();
  MemoryTree pkg;
  pkg.add("/lib/x86_64-linux-gnu/libold.so", NodeKind::File);  // packed on a host with a real /lib
  Plan plan = make_plan(default_rules("/home/u", "/"), host, pkg, kLayout);
  const MountOp* lib = find(plan, "/lib", MountOp::Type::Overlay);
  REQUIRE(lib);
  CHECK(lib->lowers == std::vector<std::string>{kLayout.package_root + "/lib", "/usr/lib"});
}

TEST_CASE("package directories under a merged prefix are laid over the host's, writes copied up") {
  MemoryTree host = debian_host();
  host.add("/opt/app/share", NodeKind::Dir);
  MemoryTree pkg = jq_package();
  pkg.add("/opt/app/bin/tool", NodeKind::File);
  pkg.add("/opt/readme", NodeKind::File);
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/opt", Isolation::Merged, "manifest");
  Plan plan = make_plan(rules, host, pkg, kLayout);
  CHECK(find(plan, "/opt", MountOp::Type::Bind)->source == "/opt");
  const MountOp* app = find(plan, "/opt/app", MountOp::Type::Overlay);
  REQUIRE(app);
  CHECK(app->lowers == std::vector<std::string>{kLayout.package_root + "/opt/app", "/opt/app"});
  CHECK(app->upper == kLayout.sandbox + "/upper/opt/app");
  // A file at the merged level cannot be overlaid alone: said, not hidden silently.
  REQUIRE(plan.notes.size() == 1);
  CHECK_THAT(plan.notes[0], Catch::StartsWith("/opt/readme: the package's file here is hidden"));
}

TEST_CASE("a merged directory holding the sandbox is descended into, not overlaid") {
  MemoryTree host = debian_host();
  host.add("/home/u/pics", NodeKind::Dir);
  MemoryTree pkg = jq_package();
  pkg.add("/home/u/pics/icon.png", NodeKind::File);
  Plan plan = make_plan(default_rules("/home/u", "/"), host, pkg, kLayout);
  CHECK_FALSE(find(plan, "/home", MountOp::Type::Overlay));
  CHECK_FALSE(find(plan, "/home/u", MountOp::Type::Overlay));
  const MountOp* pics = find(plan, "/home/u/pics", MountOp::Type::Overlay);
  REQUIRE(pics);
  CHECK(pics->lowers == std::vector<std::string>{kLayout.package_root + "/home/u/pics", "/home/u/pics"});
}

TEST_CASE("a merged prefix only the package has becomes its own writecopy tree") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  pkg.add("/srv/app/data", NodeKind::File);
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/srv", Isolation::Merged, "manifest");
  Plan plan = make_plan(rules, host, pkg, kLayout);
  const MountOp* srv = find(plan, "/srv", MountOp::Type::Overlay);
  REQUIRE(srv);
  CHECK(srv->lowers == std::vector<std::string>{kLayout.package_root + "/srv"});
}

TEST_CASE("the sandbox or cache inside an overlaid tree is refused clearly") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/home", Isolation::WriteCopy, "--isolate");
  rules.set("/home/u", Isolation::WriteCopy, "--isolate");
  try {
    make_plan(rules, host, pkg, kLayout);
    FAIL("plan accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Environment);
    CHECK_THAT(e.what(), Catch::Contains("lies inside '/home'"));
  }
}

TEST_CASE("nested rules mount after their parents") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/var/lib", Isolation::Full, "manifest");
  Plan plan = make_plan(rules, host, pkg, kLayout);
  size_t var = 0, var_lib = 0;
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    if (plan.ops[i].target == "/var" && plan.ops[i].type == MountOp::Type::Overlay) var = i;
    if (plan.ops[i].target == "/var/lib") var_lib = i;
  }
  CHECK(var > 0);
  CHECK(var_lib > var);
  CHECK(plan.ops[var_lib].type == MountOp::Type::Bind);
  CHECK(plan.ops[var_lib].source == kLayout.sandbox + "/upper/var/lib");
}

TEST_CASE("the printed plan shows every rule and mount") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = default_rules("/home/u", "/");
  rules.set("/usr", Isolation::Full, "--isolate");
  std::string text = format_plan(rules, make_plan(rules, host, pkg, kLayout));
  CHECK_THAT(text, Catch::Contains("/usr                         full       --isolate"));
  CHECK_THAT(text, Catch::Contains("overlay  /usr  lower=/home/u/.cache/appv/D/root/usr upper="));
  CHECK_THAT(text, Catch::Contains("symlink  /lib64 -> usr/lib64"));
  CHECK_THAT(text, Catch::Contains("bind     /proc <- /proc"));
}

TEST_CASE("resolving links inside a tree") {
  MemoryTree host = debian_host();
  CHECK(resolve_in_tree(host, "/lib64") == "/usr/lib64");
  CHECK(resolve_in_tree(host, "/bin/../lib") == "/usr/lib");
  MemoryTree loop;
  loop.add("/a", NodeKind::Symlink, "b");
  loop.add("/b", NodeKind::Symlink, "a");
  CHECK(resolve_in_tree(loop, "/a").empty());
}
