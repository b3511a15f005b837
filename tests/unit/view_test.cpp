#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "base/error.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"
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

const Layout kLayout{"/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes/app",
                     {"/home/u/.local/share/appv/sandboxes"}, {}, {}, {}};

// The tokens of a user whose XDG directories are the spec's defaults.
std::map<std::string, std::string, std::less<>> user(const std::string& home) {
  return {{"HOME", home},
          {"XDG_CONFIG_HOME", home + "/.config"},
          {"XDG_DATA_HOME", home + "/.local/share"},
          {"XDG_CACHE_HOME", home + "/.cache"},
          {"XDG_STATE_HOME", home + "/.local/state"}};
}

RuleSet rules_for(const std::string& home, const std::string& cwd, const TreeProbe& host) {
  return default_rules(user(home), cwd, host);
}
RuleSet rules_for(const std::string& home, const std::string& cwd) { return rules_for(home, cwd, MemoryTree()); }

const MountOp* find(const Plan& plan, const std::string& target, MountOp::Type type) {
  for (const MountOp& op : plan.ops) {
    if (op.target == target && op.type == type) return &op;
  }
  return nullptr;
}

// The op, or a failed REQUIRE naming it (never a null dereference).
const MountOp& found(const Plan& plan, const std::string& target, MountOp::Type type) {
  const MountOp* op = find(plan, target, type);
  INFO("mount op at " << target);
  REQUIRE(op);
  return *op;
}

}  // namespace

TEST_CASE("rules: the longest prefix wins, later rules replace earlier ones") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents", NodeKind::Dir);
  host.add("/home/u/.config", NodeKind::Dir);
  host.add("/home/u/notes.txt", NodeKind::File);
  RuleSet r = rules_for("/home/u", "/home/u/Documents/work", host);
  CHECK(r.lookup("/usr/bin/jq").mode == Isolation::WriteCopy);
  CHECK(r.lookup("/proc/self").mode == Isolation::Host);
  CHECK(r.lookup("/tmp/x").mode == Isolation::Merged);
  // $HOME's dotfiles are the app's own; the user's documents are shared.
  CHECK(r.lookup("/home/u/.bashrc").mode == Isolation::WriteCopy);
  CHECK(r.lookup("/home/u/.config/app/x.conf").mode == Isolation::WriteCopy);
  CHECK(r.lookup("/home/u/Documents/letter.odt").mode == Isolation::Merged);
  CHECK(r.lookup("/home/u/Documents").origin == RuleOrigin::HomeDocuments);
  CHECK(r.rules().count("/home/u/notes.txt") == 0);  // only directories get a rule
  CHECK(r.lookup("/home/v/x").mode == Isolation::Merged);  // other users' homes: /home
  CHECK(r.rules().count("/home/u/Documents/work") == 0);  // already merged through Documents
  r.set("/usr", Isolation::Full, RuleOrigin::CommandLine);
  CHECK(r.lookup("/usr/bin/jq").mode == Isolation::Full);
  CHECK(r.lookup("/usr").origin == RuleOrigin::CommandLine);
  RuleSet in_usr = rules_for("/root", "/usr/src/project");
  CHECK(in_usr.lookup("/usr/src/project/a.c").mode == Isolation::Merged);
  CHECK(in_usr.lookup("/root/.bashrc").origin == RuleOrigin::HomeDotfiles);
}

TEST_CASE("rules: the working directory is merged, unless it is $HOME") {
  CHECK(rules_for("/home/u", "/home/u").lookup("/home/u/.profile").mode == Isolation::WriteCopy);
  CHECK(rules_for("/home/u", "/home/u/.config/app").lookup("/home/u/.config/app/out").mode == Isolation::Merged);
  CHECK(rules_for("/home/u", "/srv/data").lookup("/srv/data/out.csv").origin == RuleOrigin::WorkingDir);
}

TEST_CASE("rules: XDG directories outside the dotfiles are writecopy too") {
  auto tokens = user("/home/u");
  tokens["XDG_CONFIG_HOME"] = "/home/u/cfg";
  tokens["XDG_CACHE_HOME"] = "/tmp/cache-u";
  MemoryTree host;
  host.add("/home/u/cfg", NodeKind::Dir);
  RuleSet r = default_rules(tokens, "/", host);
  CHECK(r.lookup("/home/u/cfg/app.conf").mode == Isolation::WriteCopy);
  CHECK(origin_label(r.lookup("/home/u/cfg")) == "default ($XDG_CONFIG_HOME)");
  CHECK(r.lookup("/tmp/cache-u/x").mode == Isolation::WriteCopy);
}

TEST_CASE("rules: ~, $HOME and $XDG_* in prefixes expand for the running user") {
  RuleSet r;
  auto tokens = user("/home/u");
  add_rule(r, "~/.mozilla", Isolation::Full, RuleOrigin::Manifest, tokens);
  add_rule(r, "${XDG_CONFIG_HOME}/app", Isolation::Merged, RuleOrigin::Manifest, tokens, {{"~/.config"}, "policy.toml"});
  add_rule(r, "$HOME/Music/", Isolation::Full, RuleOrigin::CommandLine, tokens);
  CHECK(r.rules().count("/home/u/.mozilla") == 1);
  CHECK(r.rules().count("/home/u/.config/app") == 1);
  CHECK(r.rules().count("/home/u/Music") == 1);
  try {
    add_rule(r, "$XDG_RUNTIME_DIR/x", Isolation::Host, RuleOrigin::Manifest, tokens);  // not set for this user
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK_THAT(e.what(), Catch::Contains("XDG_RUNTIME_DIR"));
  }
  CHECK_REFUSED(add_rule(r, "relative/x", Isolation::Full, RuleOrigin::CommandLine, tokens), Exit::Usage, "not an absolute, normalised path");
  CHECK_REFUSED(add_rule(r, "~/../etc", Isolation::Full, RuleOrigin::CommandLine, tokens), Exit::Usage, "expands to '/home/u/../etc'");
}

TEST_CASE("rules: --isolate covers every deeper default and manifest rule") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents/work", NodeKind::Dir);
  auto tokens = user("/home/u");
  RuleSet r = default_rules(tokens, "/home/u/Documents/work", host);
  add_rule(r, "~/.ssh", Isolation::Host, RuleOrigin::Manifest, tokens, {{"~/.ssh"}, "policy.toml"});
  REQUIRE(r.lookup("/home/u/.ssh/id_ed25519").mode == Isolation::Host);
  add_rule(r, "~/Documents/mine", Isolation::Merged, RuleOrigin::CommandLine, tokens);
  add_rule(r, "~", Isolation::Full, RuleOrigin::CommandLine, tokens);
  CHECK(r.lookup("/home/u/Documents/x").mode == Isolation::Full);
  CHECK(r.lookup("/home/u/Documents/work/x").mode == Isolation::Full);
  CHECK(r.lookup("/home/u/.ssh/id_ed25519").mode == Isolation::Full);
  CHECK(r.lookup("/home/u/.config/x").mode == Isolation::Full);
  CHECK(r.lookup("/home/u/Documents/mine/x").mode == Isolation::Merged);  // the user's own deeper rule stays
  CHECK(r.lookup("/home/other").mode == Isolation::Merged);               // a sibling is not below
  std::map<std::string, std::string> why;
  for (const SetAside& a : r.set_aside()) why[a.rule.prefix] = origin_label(a.rule) + ": " + a.why;
  CHECK(why["/home/u/.ssh"] == "manifest: overridden by /home/u full (--isolate)");
  CHECK(why["/home/u/Documents"] == "default ($HOME: documents): overridden by /home/u full (--isolate)");
  CHECK(why.count("/home/u/Documents/mine") == 0);
  add_rule(r, "/home", Isolation::Full, RuleOrigin::CommandLine, tokens);
  CHECK(r.rules().count("/home/u") == 1);  // the user's own rule for ~ stays
  CHECK(r.lookup("/home/other/x").mode == Isolation::Full);
}

TEST_CASE("rules: a manifest opens host paths only as far as the policy grants") {
  MemoryTree host = debian_host();
  auto tokens = user("/home/u");
  auto refusal = [&](const std::string& prefix, Isolation mode, std::vector<std::string> grants) {
    RuleSet r = default_rules(tokens, "/home/u", host);
    return host_path_refusal(r, prefix, mode, tokens, {std::move(grants), "/etc/appv/policy.toml"});
  };
  // Without a grant: host or merged over a writecopy default is refused.
  CHECK(refusal("/home/u/.ssh", Isolation::Host, {}) ==
        "refused by policy: /etc/appv/policy.toml grants no host_paths covering /home/u/.ssh");
  CHECK_FALSE(refusal("/srv/data", Isolation::Merged, {}).empty());
  CHECK_FALSE(refusal("/home/u/.config/app", Isolation::Host, {}).empty());
  CHECK_FALSE(refusal("/", Isolation::Host, {}).empty());
  // Stricter modes, and host where the default already shows the host, need nothing.
  CHECK(refusal("/srv/data", Isolation::Full, {}).empty());
  CHECK(refusal("/home/u/.ssh", Isolation::WriteCopy, {}).empty());
  CHECK(refusal("/tmp/.X11-unix", Isolation::Host, {}).empty());
  CHECK(refusal("/media/usb", Isolation::Host, {}).empty());
  // A grant covering the prefix lets it through ("~" expanded for this user).
  CHECK(refusal("/srv/data/x", Isolation::Merged, {"/srv/data"}).empty());
  CHECK(refusal("/home/u/.config/app", Isolation::Host, {"~/.config/app"}).empty());
  CHECK_FALSE(refusal("/home/u/.config", Isolation::Host, {"~/.config/app"}).empty());
  // Sensitive trees need their own line: a broad grant does not reach them.
  CHECK(refusal("/home/u/.ssh", Isolation::Host, {"~"}) ==
        "refused by policy: /etc/appv/policy.toml grants no host_paths naming /home/u/.ssh itself");
  CHECK_FALSE(refusal("/", Isolation::Host, {"/"}).empty());
  CHECK_FALSE(refusal("/home/u", Isolation::Merged, {"~"}).empty());          // holds ~/.ssh and ~/.gnupg
  CHECK(refusal("/home/u", Isolation::Merged, {"~", "~/.ssh", "~/.gnupg"}).empty());
  CHECK_FALSE(refusal("/etc/app", Isolation::Host, {"/"}).empty());
  CHECK(refusal("/etc/app", Isolation::Host, {"/etc/app"}).empty());
  CHECK(refusal("/home/u/.ssh", Isolation::Host, {"~/.ssh"}).empty());
  CHECK_FALSE(refusal("/var/lib/app", Isolation::Host, {"/var"}).empty());
  CHECK_FALSE(refusal("/root", Isolation::Host, {"/"}).empty());
  // The kernel's trees, although their default is the host: a package's rule below
  // them would undo the launch's narrowing (a new proc, /sys read-only, few devices).
  CHECK_FALSE(refusal("/proc/sys", Isolation::Host, {}).empty());
  CHECK_FALSE(refusal("/proc/1", Isolation::Merged, {"/"}).empty());
  CHECK_FALSE(refusal("/sys/kernel", Isolation::Host, {}).empty());
  CHECK_FALSE(refusal("/dev/kmsg", Isolation::Host, {}).empty());
  CHECK_FALSE(refusal("/dev", Isolation::Host, {}).empty());
  CHECK(refusal("/dev/kmsg", Isolation::Host, {"/dev/kmsg"}).empty());  // the administrator's choice
}

TEST_CASE("rules: a manifest rule on a host link is judged where the link leads") {
  MemoryTree host = debian_host();
  // Links an app (or another user) can plant in /tmp before the launch that reads the rule.
  host.add("/tmp/to-proc-sys", NodeKind::Symlink, "../proc/sys");
  host.add("/tmp/to-etc", NodeKind::Symlink, "/etc");
  host.add("/tmp/real", NodeKind::Dir);
  host.add("/tmp/to-real", NodeKind::Symlink, "real");
  auto tokens = user("/home/u");
  RuleSet r = default_rules(tokens, "/home/u", host);
  add_rule(r, "/tmp/to-proc-sys", Isolation::Host, RuleOrigin::Manifest, tokens, {}, &host);
  add_rule(r, "/tmp/to-etc", Isolation::Merged, RuleOrigin::Manifest, tokens, {}, &host);
  add_rule(r, "/tmp/to-real", Isolation::Host, RuleOrigin::Manifest, tokens, {}, &host);  // still /tmp: fine
  REQUIRE(r.set_aside().size() == 2);
  CHECK(r.set_aside()[0].why == "/tmp/to-proc-sys is a link on the host to /proc/sys: refused by policy: no policy.toml "
                                "grants host_paths covering /proc/sys");
  CHECK_THAT(r.set_aside()[1].why, Catch::StartsWith("/tmp/to-etc is a link on the host to /etc: refused by policy"));
  CHECK(r.lookup("/tmp/to-real").origin == RuleOrigin::Manifest);
}

TEST_CASE("rules: a refused manifest rule is set aside and its prefix keeps the default") {
  MemoryTree host = debian_host();
  auto tokens = user("/home/u");
  RuleSet r = default_rules(tokens, "/home/u", host);
  add_rule(r, "~/.ssh", Isolation::Host, RuleOrigin::Manifest, tokens);
  add_rule(r, "/opt", Isolation::Full, RuleOrigin::Manifest, tokens);
  CHECK(r.lookup("/home/u/.ssh/id_ed25519").mode == Isolation::WriteCopy);
  CHECK(r.lookup("/opt/x").mode == Isolation::Full);
  REQUIRE(r.set_aside().size() == 1);
  CHECK(r.set_aside()[0].rule.prefix == "/home/u/.ssh");
  CHECK(r.set_aside()[0].why == "refused by policy: no policy.toml grants host_paths covering /home/u/.ssh");
  CHECK_THAT(format_plan(r, Plan{}), Catch::Contains("/home/u/.ssh                 host       manifest: not applied, "
                                                     "refused by policy: no policy.toml grants"));
}

TEST_CASE("rules: a package's writecopy or full on the kernel's trees is set aside") {
  MemoryTree host = debian_host();
  auto tokens = user("/home/u");
  RuleSet r = default_rules(tokens, "/home/u", host);
  // An overlay of the host's /dev would open every device node in it; a /proc of the
  // package's making would fool what reads it.
  add_rule(r, "/dev", Isolation::WriteCopy, RuleOrigin::Manifest, tokens);
  add_rule(r, "/proc", Isolation::Full, RuleOrigin::Manifest, tokens);
  add_rule(r, "/sys/fs", Isolation::WriteCopy, RuleOrigin::Manifest, tokens);
  add_rule(r, "/", Isolation::Full, RuleOrigin::Manifest, tokens);  // above them: their defaults stay
  REQUIRE(r.set_aside().size() == 3);
  CHECK(r.set_aside()[0].why == "/dev is the kernel's tree, which the launch narrows itself; a package may not change it");
  CHECK(r.set_aside()[1].rule.prefix == "/proc");
  CHECK(r.set_aside()[2].rule.prefix == "/sys/fs");
  CHECK(r.lookup("/dev/null").mode == Isolation::Host);
  CHECK(r.lookup("/proc/self").mode == Isolation::Host);
  CHECK(r.lookup("/sys/fs/cgroup").mode == Isolation::Host);
  CHECK(r.lookup("/opt").mode == Isolation::Full);
  // Through the host's links: Debian's /run/shm -> /dev/shm, one an app planted in /tmp.
  host.add("/run/shm", NodeKind::Symlink, "/dev/shm");
  host.add("/tmp/to-dev", NodeKind::Symlink, "../dev");
  add_rule(r, "/run/shm", Isolation::WriteCopy, RuleOrigin::Manifest, tokens, {}, &host);
  add_rule(r, "/tmp/to-dev", Isolation::Full, RuleOrigin::Manifest, tokens, {}, &host);
  REQUIRE(r.set_aside().size() == 5);
  CHECK(r.set_aside()[3].why == "/run/shm is a link on the host to /dev/shm, in the kernel's tree /dev, which the launch "
                                "narrows itself; a package may not change it");
  CHECK(r.set_aside()[4].rule.prefix == "/tmp/to-dev");
  // The user's own choice stands.
  add_rule(r, "/dev", Isolation::Full, RuleOrigin::CommandLine, tokens);
  CHECK(r.lookup("/dev/null").mode == Isolation::Full);
}

TEST_CASE("isolate arguments (PREFIX=MODE) are checked") {
  Rule r = parse_rule_arg("/usr=full");
  CHECK(r.prefix == "/usr");
  CHECK(r.mode == Isolation::Full);
  CHECK_REFUSED(parse_rule_arg("/usr"), Exit::Usage, "--isolate '/usr': expected PREFIX=MODE");
  CHECK_REFUSED(parse_rule_arg("/usr=sealed"), Exit::Usage, "unknown mode 'sealed'");
  CHECK_REFUSED(parse_rule_arg("=full"), Exit::Usage, "the prefix is empty");
  CHECK(parse_rule_arg("~/.config=full").prefix == "~/.config");  // expanded by add_rule
}

TEST_CASE("writecopy puts the package over the host with the sandbox on top") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = rules_for("/home/u", "/", host);
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
  CHECK(found(plan, "/proc", MountOp::Type::Bind).source == "/proc");
  CHECK(find(plan, "/home", MountOp::Type::Bind));
  // Files at the top of the host cannot be mounted on a directory; they are noted.
  CHECK(plan.notes.empty());
}

TEST_CASE("full hides the host: only the package and the sandbox are layers") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/usr", Isolation::Full, RuleOrigin::CommandLine);
  rules.set("/etc", Isolation::Full, RuleOrigin::CommandLine);
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
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, kLayout);
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
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/opt", Isolation::Merged, RuleOrigin::Manifest);
  Plan plan = make_plan(rules, host, pkg, kLayout);
  CHECK(found(plan, "/opt", MountOp::Type::Bind).source == "/opt");
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
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/home/u", Isolation::Merged, RuleOrigin::Manifest);
  Plan plan = make_plan(rules, host, pkg, kLayout);
  CHECK_FALSE(find(plan, "/home", MountOp::Type::Overlay));
  CHECK_FALSE(find(plan, "/home/u", MountOp::Type::Overlay));
  const MountOp* pics = find(plan, "/home/u/pics", MountOp::Type::Overlay);
  REQUIRE(pics);
  CHECK(pics->lowers == std::vector<std::string>{kLayout.package_root + "/home/u/pics", "/home/u/pics"});
}

TEST_CASE("$HOME is overlaid for its dotfiles, documents are bound, appv's sandboxes hidden") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents", NodeKind::Dir);
  MemoryTree pkg = jq_package();
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, kLayout);
  const MountOp* home = find(plan, "/home/u", MountOp::Type::Overlay);
  REQUIRE(home);
  CHECK(home->lowers == std::vector<std::string>{"/home/u"});
  CHECK(home->upper == kLayout.sandbox + "/upper/home/u");
  const MountOp* docs = find(plan, "/home/u/Documents", MountOp::Type::Bind);
  REQUIRE(docs);
  CHECK(docs->source == "/home/u/Documents");
  // The sandbox lies inside the overlaid home: hidden, after every other mount.
  REQUIRE(plan.ops.back().type == MountOp::Type::Hide);
  CHECK(plan.ops.back().target == "/home/u/.local/share/appv/sandboxes");
  CHECK_THAT(format_plan(rules_for("/home/u", "/", host), plan), Catch::Contains("hide     /home/u/.local/share/appv/sandboxes"));
}

TEST_CASE("a writecopy tree with a mount below it is split around the mount, not overlaid") {
  MemoryTree host = debian_host();
  host.add("/srv/data/vol", NodeKind::Dir);
  host.add("/srv/data/old", NodeKind::Dir);
  host.add("/srv/readme", NodeKind::File);
  host.add("/srv/current", NodeKind::Symlink, "data/vol");
  MemoryTree pkg = jq_package();
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/srv/data/vol", "/proc"};
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, layout);
  CHECK_FALSE(find(plan, "/srv", MountOp::Type::Overlay));
  CHECK_FALSE(find(plan, "/srv", MountOp::Type::BindReadOnly));
  // /srv: the package has no /srv; its own layer holds the host's link and mount points.
  const MountOp& srv = found(plan, "/srv", MountOp::Type::Split);
  CHECK(srv.lowers.empty());
  CHECK(srv.upper == kLayout.sandbox + "/upper/srv");
  REQUIRE(srv.entries.size() == 3);
  CHECK((srv.entries[0].name == "current" && srv.entries[0].kind == NodeKind::Symlink && srv.entries[0].link == "data/vol"));
  CHECK((srv.entries[1].name == "data" && srv.entries[1].kind == NodeKind::Dir));
  // A host file directly in it: copied into that layer at launch (a lower file the
  // app's writes copy up), or bound read-only if too large; no op of its own.
  CHECK((srv.entries[2].name == "readme" && srv.entries[2].kind == NodeKind::File && srv.entries[2].source == "/srv/readme"));
  CHECK(srv.entries[0].source.empty());
  // /srv/data holds the mount too: split again; its other directory and the mount
  // itself (nothing below it) are overlays of their own.
  CHECK(found(plan, "/srv/data", MountOp::Type::Split).entries.size() == 2);
  CHECK(found(plan, "/srv/data/old", MountOp::Type::Overlay).lowers == std::vector<std::string>{"/srv/data/old"});
  const MountOp& vol = found(plan, "/srv/data/vol", MountOp::Type::Overlay);
  CHECK(vol.lowers == std::vector<std::string>{"/srv/data/vol"});
  CHECK(vol.upper == kLayout.sandbox + "/upper/srv/data/vol");
  CHECK_FALSE(find(plan, "/srv/readme", MountOp::Type::BindReadOnly));
  CHECK(find(plan, "/usr", MountOp::Type::Overlay));  // a mount at the top itself is fine
  CHECK(std::count(plan.dirs_to_create.begin(), plan.dirs_to_create.end(), kLayout.sandbox + "/upper/srv") == 1);
  // Each directory is mounted before what is placed in it.
  std::vector<std::string> order;
  for (const MountOp& op : plan.ops) {
    if (op.target.rfind("/srv", 0) == 0) order.push_back(op.target);
  }
  CHECK(order == std::vector<std::string>{"/srv", "/srv/data", "/srv/data/old", "/srv/data/vol"});
  // Each split counts the ops that place its entries (applied before its overlay).
  CHECK(srv.placed == 3);
  CHECK(found(plan, "/srv/data", MountOp::Type::Split).placed == 2);
  REQUIRE(plan.notes.size() == 2);
  CHECK_THAT(plan.notes[0], Catch::StartsWith("/srv: has a mount below it (/srv/data/vol)"));
  CHECK_THAT(plan.notes[1], Catch::StartsWith("/srv/data: has a mount below it (/srv/data/vol)"));
  CHECK(plan.host_mounts == layout.host_mounts);
}

TEST_CASE("a kernel file system mounted in a writecopy tree (a build chroot's /proc) is hidden, not overlaid") {
  MemoryTree host = debian_host();
  host.add("/var/lib/sbuild/chroot/proc", NodeKind::Dir);
  host.add("/var/lib/sbuild/chroot/etc", NodeKind::Dir);
  MemoryTree pkg = jq_package();
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/proc", "/var/lib/sbuild/chroot/proc"};
  layout.kernel_mounts = {"/var/lib/sbuild/chroot/proc"};  // out of its place (read_mount_points)
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, layout);
  // /var is split around the mount down to the chroot, whose other directory is an
  // overlay of its own as before; the procfs, which no overlay takes and which must
  // not be reached, is hidden.
  CHECK(find(plan, "/var", MountOp::Type::Split));
  CHECK(find(plan, "/var/lib/sbuild/chroot", MountOp::Type::Split));
  CHECK(found(plan, "/var/lib/sbuild/chroot/etc", MountOp::Type::Overlay).lowers ==
        std::vector<std::string>{"/var/lib/sbuild/chroot/etc"});
  CHECK(find(plan, "/var/lib/sbuild/chroot/proc", MountOp::Type::Hide));
  CHECK_FALSE(find(plan, "/var/lib/sbuild/chroot/proc", MountOp::Type::Overlay));
  CHECK_FALSE(find(plan, "/var/lib/sbuild/chroot/proc", MountOp::Type::BindReadOnly));
  // Once: the final pass leaves writecopy trees to the split.
  CHECK(std::count_if(plan.ops.begin(), plan.ops.end(),
                      [](const MountOp& op) { return op.target == "/var/lib/sbuild/chroot/proc"; }) == 1);
}

TEST_CASE("a kernel file system mounted out of its place in a merged or host tree is hidden, a file behind an empty one") {
  MemoryTree host = debian_host();
  host.add("/mnt/chroot/proc", NodeKind::Dir);
  host.add("/mnt/chroot/dev/pts", NodeKind::Dir);
  host.add("/home/u/pts", NodeKind::Dir);
  host.add("/dev/shm/proc", NodeKind::Dir);
  host.add("/tmp/core_pattern", NodeKind::File);  // a sysctl's file bound on a file
  host.add("/mnt/tty", NodeKind::Other);             // a terminal's node bound on a file
  MemoryTree pkg = jq_package();
  Layout layout = kLayout;
  // As read_mount_points lists them: out of their place only.
  layout.kernel_mounts = {"/mnt/chroot/proc", "/mnt/chroot/dev/pts", "/home/u/pts", "/dev/shm/proc", "/tmp/core_pattern",
                          "/mnt/tty"};
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, layout);
  CHECK_THAT(found(plan, "/mnt/chroot/proc", MountOp::Type::Hide).why,
             Catch::StartsWith("/mnt merged") && Catch::EndsWith("a kernel file system's mount: hidden"));
  CHECK(find(plan, "/mnt/chroot/dev/pts", MountOp::Type::Hide));
  CHECK(find(plan, "/home/u/pts", MountOp::Type::Hide));  // $HOME's documents: merged
  CHECK_THAT(found(plan, "/dev/shm/proc", MountOp::Type::Hide).why, Catch::StartsWith("/dev host"));
  CHECK_FALSE(find(plan, "/tmp/core_pattern", MountOp::Type::Hide));
  CHECK_THAT(found(plan, "/tmp/core_pattern", MountOp::Type::HideFile).why, Catch::StartsWith("/tmp merged"));
  CHECK(find(plan, "/mnt/tty", MountOp::Type::HideFile));
}

TEST_CASE("a kernel file bound onto a file stays hidden under a rule on its own path, in writecopy, not in full") {
  MemoryTree host = debian_host();
  host.add("/mnt/core_pattern", NodeKind::File);
  host.add("/mnt/oom", NodeKind::File);
  host.add("/var/backups/core_pattern", NodeKind::File);
  host.add("/opt/sysctl", NodeKind::File);
  MemoryTree pkg = jq_package();
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/proc", "/mnt/core_pattern", "/mnt/oom", "/var/backups/core_pattern", "/opt/sysctl"};
  layout.kernel_mounts = {"/mnt/core_pattern", "/mnt/oom", "/var/backups/core_pattern", "/opt/sysctl"};
  RuleSet rules = rules_for("/home/u", "/", host);
  // A manifest's rule on the file itself places nothing (not a directory): the file
  // shows through /mnt's merged tree, and is hidden as there.
  rules.set("/mnt/core_pattern", Isolation::WriteCopy, RuleOrigin::Manifest);
  rules.set("/mnt/oom", Isolation::Full, RuleOrigin::Manifest);
  rules.set("/opt", Isolation::Full, RuleOrigin::Manifest);
  Plan plan = make_plan(rules, host, pkg, layout);
  CHECK_THAT(found(plan, "/mnt/core_pattern", MountOp::Type::HideFile).why, Catch::StartsWith("/mnt merged"));
  CHECK(find(plan, "/mnt/oom", MountOp::Type::HideFile));
  // In a writecopy tree (split around it) the empty file covers the launch's copy.
  CHECK_THAT(found(plan, "/var/backups/core_pattern", MountOp::Type::HideFile).why, Catch::StartsWith("/ writecopy"));
  // A full tree shows none of the host's files: nothing to hide, no name made.
  CHECK_FALSE(find(plan, "/opt/sysctl", MountOp::Type::HideFile));
}

TEST_CASE("/usr with a mount below it, where the package brings /usr files (an NVIDIA driver disk)") {
  MemoryTree host = debian_host();
  host.add("/usr/local/bin", NodeKind::Dir);
  host.add("/usr/local/games", NodeKind::Dir);
  host.add("/usr/local/nvidia/lib64/libcuda.so", NodeKind::File);
  host.add("/usr/local/man", NodeKind::Symlink, "share/man");
  host.add("/usr/local/README", NodeKind::File);
  host.add("/usr/local/notes", NodeKind::File);
  host.add("/usr/share/doc", NodeKind::Dir);
  // An earlier run deleted the host's /usr/local/games (a whiteout in its sandbox) and
  // wrote its own /usr/local/notes: both stay the app's.
  host.add(kLayout.sandbox + "/upper/usr/local/games", NodeKind::Other);
  host.add(kLayout.sandbox + "/upper/usr/local/notes", NodeKind::File);
  MemoryTree pkg = jq_package();
  pkg.add("/usr/share/jq/README", NodeKind::File);  // a directory the host has
  pkg.add("/usr/libexec/jq/helper", NodeKind::File);  // one it lacks: in the split layer's package part
  pkg.add("/usr/PKGINFO", NodeKind::File);
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/proc", "/usr/local/nvidia"};
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, layout);
  const std::string root = kLayout.package_root;
  CHECK_FALSE(find(plan, "/usr", MountOp::Type::Overlay));
  const MountOp& usr = found(plan, "/usr", MountOp::Type::Split);
  CHECK(usr.lowers == std::vector<std::string>{root + "/usr"});
  std::vector<std::string> names;
  for (const SplitEntry& e : usr.entries) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"bin", "lib", "lib64", "local", "share"});
  CHECK(found(plan, "/usr/bin", MountOp::Type::Overlay).lowers == std::vector<std::string>{root + "/usr/bin", "/usr/bin"});
  CHECK(found(plan, "/usr/lib", MountOp::Type::Overlay).lowers == std::vector<std::string>{root + "/usr/lib", "/usr/lib"});
  CHECK(found(plan, "/usr/lib64", MountOp::Type::Overlay).lowers == std::vector<std::string>{"/usr/lib64"});
  CHECK(found(plan, "/usr/share", MountOp::Type::Overlay).lowers == std::vector<std::string>{root + "/usr/share", "/usr/share"});
  CHECK_FALSE(find(plan, "/usr/libexec", MountOp::Type::Overlay));
  const MountOp& local = found(plan, "/usr/local", MountOp::Type::Split);
  CHECK(local.lowers.empty());
  names.clear();
  for (const SplitEntry& e : local.entries) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"README", "bin", "man", "nvidia"});
  CHECK(local.entries[2].link == "share/man");
  CHECK(found(plan, "/usr/local/nvidia", MountOp::Type::Overlay).lowers == std::vector<std::string>{"/usr/local/nvidia"});
  CHECK(local.entries[0].source == "/usr/local/README");
  CHECK_FALSE(find(plan, "/usr/local/games", MountOp::Type::Overlay));
  for (const std::string& dir : plan.dirs_to_create) CHECK(dir != kLayout.sandbox + "/upper/usr/local/games");
}

TEST_CASE("a merged prefix's package directory with a mount below the host's is split") {
  MemoryTree host = debian_host();
  host.add("/opt/app/cache/disk", NodeKind::Dir);
  host.add("/opt/app/etc", NodeKind::Dir);
  MemoryTree pkg = jq_package();
  pkg.add("/opt/app/bin/tool", NodeKind::File);
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/opt", Isolation::Merged, RuleOrigin::Manifest);
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/opt/app/cache/disk"};
  Plan plan = make_plan(rules, host, pkg, layout);
  CHECK(found(plan, "/opt", MountOp::Type::Bind).source == "/opt");
  CHECK_FALSE(find(plan, "/opt/app", MountOp::Type::Overlay));
  CHECK(found(plan, "/opt/app", MountOp::Type::Split).lowers == std::vector<std::string>{kLayout.package_root + "/opt/app"});
  CHECK(find(plan, "/opt/app/cache", MountOp::Type::Split));
  CHECK(found(plan, "/opt/app/etc", MountOp::Type::Overlay).lowers == std::vector<std::string>{"/opt/app/etc"});
}

TEST_CASE("$HOME with a mount below it is split: documents bound, dotfile links still copied") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents/dotfiles/bashrc", NodeKind::File);
  host.add("/home/u/.bashrc", NodeKind::Symlink, "Documents/dotfiles/bashrc");
  host.add("/home/u/nas/share", NodeKind::Dir);
  host.add("/home/u/.profile", NodeKind::File);
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/home/u/nas/share"};
  layout.link_scan_dirs = {"/home/u"};
  const RuleSet rules = rules_for("/home/u", "/", host);
  const Plan plan = make_plan(rules, host, jq_package(), layout);
  const MountOp& home = found(plan, "/home/u", MountOp::Type::Split);
  CHECK(home.lowers.empty());
  std::vector<std::string> names;
  for (const SplitEntry& e : home.entries) names.push_back(e.name);
  // Documents and nas (merged by their own rules) get mount points; the rules bind them.
  CHECK(names == std::vector<std::string>{".bashrc", ".cache", ".local", ".profile", "Documents", "nas"});
  CHECK(found(plan, "/home/u/.cache", MountOp::Type::Overlay).lowers == std::vector<std::string>{"/home/u/.cache"});
  CHECK(home.entries[3].source == "/home/u/.profile");
  CHECK(home.entries[4].source.empty());  // a directory's mount point
  CHECK(found(plan, "/home/u/Documents", MountOp::Type::Bind).source == "/home/u/Documents");
  CHECK(found(plan, "/home/u/nas", MountOp::Type::Bind).source == "/home/u/nas");
  REQUIRE(plan.copy_ups.size() == 1);
  CHECK(plan.copy_ups[0].to == kLayout.sandbox + "/upper/home/u/.bashrc");
  CHECK(plan.ops.back().type == MountOp::Type::Hide);
}

TEST_CASE("a dotfile link into a merged directory with a mount below its target gets a split of its own") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents/dotfiles/vim/pack", NodeKind::Dir);
  host.add("/home/u/Documents/dotfiles/vim/vimrc", NodeKind::File);
  host.add("/home/u/.vim", NodeKind::Symlink, "Documents/dotfiles/vim");
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/home/u/Documents/dotfiles/vim/pack"};
  layout.link_scan_dirs = {"/home/u"};
  const Plan plan = make_plan(rules_for("/home/u", "/", host), host, jq_package(), layout);
  // $HOME itself is split too (the mount lies below it), its link recreated.
  const std::vector<SplitEntry>& home = found(plan, "/home/u", MountOp::Type::Split).entries;
  REQUIRE(home.size() == 4);  // .cache .local .vim Documents
  CHECK((home[2].name == ".vim" && home[2].link == "Documents/dotfiles/vim"));
  const MountOp& vim = found(plan, "/home/u/.vim", MountOp::Type::Split);
  CHECK(vim.upper == kLayout.sandbox + "/upper/home/u/.vim");
  REQUIRE(vim.entries.size() == 2);
  CHECK(vim.entries[1].source == "/home/u/Documents/dotfiles/vim/vimrc");
  CHECK(found(plan, "/home/u/.vim/pack", MountOp::Type::Overlay).lowers ==
        std::vector<std::string>{"/home/u/Documents/dotfiles/vim/pack"});
  CHECK_FALSE(find(plan, "/home/u/.vim", MountOp::Type::Overlay));
}

TEST_CASE("package files under $HOME, whose tree also holds the cache, are overlaid below it") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  pkg.add("/home/u/.local/bin/tool", NodeKind::File);
  pkg.add("/home/u/.toolrc", NodeKind::File);
  pkg.add("/home/u/.newdir/x", NodeKind::File);  // the host has no ~/.newdir: made in the home's upper
  Plan plan = make_plan(rules_for("/home/u", "/", host), host, pkg, kLayout);
  // The cache lies in the host's home: one overlay with both as lowers would be refused.
  const MountOp* home = find(plan, "/home/u", MountOp::Type::Overlay);
  REQUIRE(home);
  CHECK(home->lowers == std::vector<std::string>{"/home/u"});
  const MountOp* local = find(plan, "/home/u/.local", MountOp::Type::Overlay);
  REQUIRE(local);
  CHECK(local->lowers == std::vector<std::string>{kLayout.package_root + "/home/u/.local", "/home/u/.local"});
  CHECK(find(plan, "/home/u/.newdir", MountOp::Type::Dir));
  CHECK(found(plan, "/home/u/.newdir", MountOp::Type::Overlay).lowers ==
        std::vector<std::string>{kLayout.package_root + "/home/u/.newdir"});
  REQUIRE(plan.notes.size() == 1);
  CHECK_THAT(plan.notes[0], Catch::StartsWith("/home/u/.toolrc: the package's file here is hidden"));
}

TEST_CASE("a host-mode socket under a full prefix is bound by itself") {
  MemoryTree host = debian_host();
  host.add("/tmp/.X11-unix/X0", NodeKind::Other);
  MemoryTree pkg = jq_package();
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/tmp", Isolation::Full, RuleOrigin::Manifest);
  rules.set("/tmp/.X11-unix/X0", Isolation::Host, RuleOrigin::Manifest);
  Plan plan = make_plan(rules, host, pkg, kLayout);
  const MountOp* sock = find(plan, "/tmp/.X11-unix/X0", MountOp::Type::Bind);
  REQUIRE(sock);
  CHECK(sock->source == "/tmp/.X11-unix/X0");
}

TEST_CASE("a merged prefix only the package has becomes its own writecopy tree") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  pkg.add("/srv/app/data", NodeKind::File);
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/srv", Isolation::Merged, RuleOrigin::Manifest);
  Plan plan = make_plan(rules, host, pkg, kLayout);
  const MountOp* srv = find(plan, "/srv", MountOp::Type::Overlay);
  REQUIRE(srv);
  CHECK(srv->lowers == std::vector<std::string>{kLayout.package_root + "/srv"});
}

TEST_CASE("nested rules mount after their parents") {
  MemoryTree host = debian_host();
  MemoryTree pkg = jq_package();
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/var/lib", Isolation::Full, RuleOrigin::Manifest);
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
  RuleSet rules = rules_for("/home/u", "/", host);
  rules.set("/usr", Isolation::Full, RuleOrigin::CommandLine);
  std::string text = format_plan(rules, make_plan(rules, host, pkg, kLayout));
  CHECK_THAT(text, Catch::Contains("/usr                         full       --isolate"));
  CHECK_THAT(text, Catch::Contains("overlay  /usr  lower=/home/u/.cache/appv/D/root/usr upper="));
  CHECK_THAT(text, Catch::Contains("symlink  /lib64 -> usr/lib64"));
  CHECK_THAT(text, Catch::Contains("bind     /proc <- /proc"));
}

TEST_CASE("the printed plan shows a split directory, its links and the read-only host files") {
  MemoryTree host = debian_host();
  host.add("/opt/mnt", NodeKind::Dir);
  host.add("/opt/notes", NodeKind::File);
  host.add("/opt/current", NodeKind::Symlink, "mnt");
  host.add("/opt/sock", NodeKind::Other);
  Layout layout = kLayout;
  layout.host_mounts = {"/", "/opt/mnt"};
  const RuleSet rules = rules_for("/home/u", "/", host);
  const std::string text = format_plan(rules, make_plan(rules, host, jq_package(), layout));
  const std::string upper = kLayout.sandbox + "/upper";
  CHECK_THAT(text, Catch::Contains("split    /opt  lower=(mount points, links, files) upper=" + upper + "/opt  [/ writecopy (default), split around /opt/mnt]"));
  CHECK_THAT(text, Catch::Contains("symlink  /opt/current -> mnt  (in the split layer)"));
  CHECK_THAT(text, Catch::Contains("overlay  /opt/mnt  lower=/opt/mnt upper=" + upper + "/opt/mnt"));
  CHECK_THAT(text, Catch::Contains("file     /opt/notes <- /opt/notes  (copied into the split layer if small, else bound read-only)"));
  CHECK_THAT(text, Catch::Contains("bind-ro  /opt/sock <- /opt/sock  [/ writecopy (default), a host socket in a split directory]"));
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

TEST_CASE("host links from writecopy directories into merged ones get the app's own copy") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents/dotfiles/bashrc", NodeKind::File);
  host.add("/home/u/Documents/dotfiles/nvim", NodeKind::Dir);
  host.add("/home/u/.bashrc", NodeKind::Symlink, "Documents/dotfiles/bashrc");                // relative, a file
  host.add("/home/u/.zshrc", NodeKind::Symlink, "/home/u/Documents/dotfiles/bashrc");         // absolute, a file
  host.add("/home/u/.config/nvim", NodeKind::Symlink, "../Documents/dotfiles/nvim");          // XDG top level, a dir
  host.add("/home/u/.config/deep/init", NodeKind::Symlink, "/home/u/Documents/dotfiles/bashrc");  // below the bound
  host.add("/home/u/.dot/vimrc", NodeKind::File);
  host.add("/home/u/.vimrc", NodeKind::Symlink, ".dot/vimrc");  // into writecopy: the overlay copies up itself
  host.add("/home/u/.hop", NodeKind::Symlink, ".bashrc");       // a chain ending in Documents
  host.add("/home/u/.loop", NodeKind::Symlink, ".loop");
  // The app already has its own .zshrc: it wins, nothing is copied over it.
  host.add(kLayout.sandbox + "/upper/home/u/.zshrc", NodeKind::File);
  Layout layout = kLayout;
  layout.link_scan_dirs = {"/home/u", "/home/u/.config", "/home/u/.local/share"};
  const RuleSet rules = rules_for("/home/u", "/home/u", host);
  const Plan plan = make_plan(rules, host, jq_package(), layout);
  std::map<std::string, std::string> copies;
  for (const CopyUp& c : plan.copy_ups) copies[c.to] = c.from;
  const std::string upper = kLayout.sandbox + "/upper";
  CHECK(copies == std::map<std::string, std::string>{{upper + "/home/u/.bashrc", "/home/u/Documents/dotfiles/bashrc"},
                                                     {upper + "/home/u/.hop", "/home/u/Documents/dotfiles/bashrc"}});
  const MountOp& nvim = found(plan, "/home/u/.config/nvim", MountOp::Type::Overlay);
  CHECK(nvim.lowers == std::vector<std::string>{"/home/u/Documents/dotfiles/nvim"});
  CHECK(nvim.upper == upper + "/home/u/.config/nvim");
  CHECK(std::count(plan.dirs_to_create.begin(), plan.dirs_to_create.end(), upper + "/home/u/.config/nvim") == 1);
  CHECK_FALSE(find(plan, "/home/u/.config/deep/init", MountOp::Type::Overlay));
  CHECK_THAT(format_plan(rules, plan), Catch::Contains("copy     " + upper + "/home/u/.bashrc <- /home/u/Documents/dotfiles/bashrc"));

  // Under the user's --isolate ~=full the host's links are not in the view at all.
  RuleSet full = rules;
  add_rule(full, "~", Isolation::Full, RuleOrigin::CommandLine, user("/home/u"));
  const Plan hidden = make_plan(full, host, jq_package(), layout);
  CHECK(hidden.copy_ups.empty());
  CHECK_FALSE(find(hidden, "/home/u/.config/nvim", MountOp::Type::Overlay));
}

TEST_CASE("a full rule on a file: the package's or the app's own file, never the host's") {
  MemoryTree host = debian_host();
  host.add("/home/u/.python_history", NodeKind::File);
  host.add("/home/u/.lesshst", NodeKind::File);
  host.add("/home/u/Documents/notes.txt", NodeKind::File);
  host.add("/home/u/Documents/tool.conf", NodeKind::File);
  host.add("/opt/tool/state", NodeKind::File);
  // The app already wrote its own .lesshst: it is left as it is.
  host.add(kLayout.sandbox + "/upper/home/u/.lesshst", NodeKind::File);
  MemoryTree pkg = jq_package();
  pkg.add("/home/u/Documents/tool.conf", NodeKind::File);
  pkg.add("/opt/tool/state", NodeKind::File);
  RuleSet rules = rules_for("/home/u", "/", host);
  for (const char* p : {"~/.python_history", "~/.lesshst", "~/.never-made", "~/Documents/notes.txt",
                        "~/Documents/tool.conf", "~/Documents/absent", "/opt/tool/state"}) {
    add_rule(rules, p, Isolation::Full, RuleOrigin::Manifest, user("/home/u"));
  }
  const Plan plan = make_plan(rules, host, pkg, kLayout);
  const std::string upper = kLayout.sandbox + "/upper";
  // In $HOME's writecopy overlay: no mount (an empty directory is what an earlier
  // plan put there); a whiteout where the sandbox has nothing, also for a file the
  // host does not have yet.
  for (const char* p : {"/home/u/.python_history", "/home/u/.lesshst", "/home/u/.never-made"}) {
    INFO(p);
    CHECK_FALSE(find(plan, p, MountOp::Type::Bind));
    CHECK_FALSE(find(plan, p, MountOp::Type::Dir));
  }
  std::vector<std::string> whiteouts;
  for (const Whiteout& w : plan.whiteouts) whiteouts.push_back(w.path);
  std::sort(whiteouts.begin(), whiteouts.end());
  CHECK(whiteouts == std::vector<std::string>{upper + "/home/u/.never-made", upper + "/home/u/.python_history"});
  // In the merged ~/Documents: the app's file bound over the host's, an empty one
  // first or the package's copy; nothing where the host has no file to bind onto.
  CHECK(found(plan, "/home/u/Documents/notes.txt", MountOp::Type::Bind).source == upper + "/home/u/Documents/notes.txt");
  CHECK(found(plan, "/home/u/Documents/tool.conf", MountOp::Type::Bind).source == upper + "/home/u/Documents/tool.conf");
  std::map<std::string, std::string> copies;
  for (const CopyUp& c : plan.copy_ups) copies[c.to] = c.from;
  CHECK(copies == std::map<std::string, std::string>{
                      {upper + "/home/u/Documents/notes.txt", ""},
                      {upper + "/home/u/Documents/tool.conf", kLayout.package_root + "/home/u/Documents/tool.conf"}});
  CHECK_FALSE(find(plan, "/home/u/Documents/absent", MountOp::Type::Bind));
  CHECK(std::any_of(plan.notes.begin(), plan.notes.end(),
                    [](const std::string& n) { return n.find("/home/u/Documents/absent") == 0; }));
  // The package's file in a writecopy tree shows above the host's: nothing to do.
  CHECK_FALSE(find(plan, "/opt/tool/state", MountOp::Type::Bind));
  CHECK_THAT(format_plan(rules, plan), Catch::Contains("whiteout " + upper + "/home/u/.python_history  [") &&
                                           Catch::Contains("copy     " + upper + "/home/u/Documents/notes.txt <- (an empty file)"));
  // The bind is exact (the app shapes upper/), its directory checked at each launch.
  CHECK(found(plan, "/home/u/Documents/notes.txt", MountOp::Type::Bind).exact);
  CHECK(std::count(plan.dirs_to_create.begin(), plan.dirs_to_create.end(), upper + "/home/u/Documents") >= 1);
}

TEST_CASE("a full rule on a file the view cannot give the app its own file at is said, and never shows the host's") {
  MemoryTree host = debian_host();
  host.add("/home/u/Documents/kept.txt", NodeKind::File);
  host.add("/home/u/Documents/link", NodeKind::Symlink, "/etc/passwd");
  host.add("/home/u/.plain", NodeKind::File);
  host.add("/proc/sys/kernel/hostname", NodeKind::File);
  host.add("/run/user/1000/x", NodeKind::File);
  // What the app left in its sandbox from a launch where ~/Documents was writecopy.
  host.add(kLayout.sandbox + "/upper/home/u/Documents/kept.txt", NodeKind::Other);
  RuleSet rules = rules_for("/home/u", "/", host);
  for (const char* p : {"~/Documents/kept.txt", "~/Documents/link", "~/.plain/x", "~/.none/deep/y", "/proc/sys/kernel/hostname",
                        "/run/user/1000/x"}) {
    add_rule(rules, p, Isolation::Full, RuleOrigin::CommandLine, user("/home/u"));
  }
  const Plan plan = make_plan(rules, host, jq_package(), kLayout);
  // A whiteout, a link or a directory in the sandbox: an empty read-only file, not the host's.
  CHECK(find(plan, "/home/u/Documents/kept.txt", MountOp::Type::HideFile));
  CHECK_FALSE(find(plan, "/home/u/Documents/kept.txt", MountOp::Type::Bind));
  CHECK(plan.copy_ups.empty());
  CHECK(plan.whiteouts.empty());
  auto noted = [&](const std::string& path, const std::string& words) {
    return std::any_of(plan.notes.begin(), plan.notes.end(), [&](const std::string& n) {
      return n.rfind(path + ": ", 0) == 0 && n.find(words) != std::string::npos;
    });
  };
  CHECK(noted("/home/u/Documents/kept.txt", "the sandbox holds no file there"));
  CHECK(noted("/home/u/Documents/link", "a link (the view shows where it leads)"));
  // Below a host file, below nothing: no whiteout (its directory would turn the file
  // into a directory for the app).
  CHECK(noted("/home/u/.plain/x", "its directory is no directory"));
  CHECK(noted("/home/u/.none/deep/y", "its directory is no directory"));
  // The kernel's trees: nothing laid over them, no sandbox directory made there.
  CHECK(noted("/proc/sys/kernel/hostname", "appv lays no file over"));
  CHECK(noted("/run/user/1000/x", "appv lays no file over"));
  CHECK(std::none_of(plan.dirs_to_create.begin(), plan.dirs_to_create.end(),
                     [&](const std::string& d) { return d.find("/upper/proc") != std::string::npos; }));
  for (const char* p : {"/home/u/Documents/link", "/home/u/.plain/x", "/proc/sys/kernel/hostname", "/run/user/1000/x"}) {
    INFO(p);
    CHECK_FALSE(find(plan, p, MountOp::Type::Bind));
  }
}

TEST_CASE("a directory listed whole answers for the names it lacks, without looking again") {
  test::TempDir root;
  REQUIRE(::mkdir((root / "a").c_str(), 0755) == 0);
  test::write_file(root / "f", "x");
  const DiskTree tree(root.path());
  CHECK(tree.list("/") == std::vector<std::string>{"a", "f"});
  // Made after the listing: the tree plans against the directory as it listed it.
  test::write_file(root / "late", "x");
  test::write_file(root / "a/late", "x");
  CHECK(tree.kind("/late") == NodeKind::Absent);
  CHECK(tree.kind("/a") == NodeKind::Dir);
  CHECK(tree.kind("/f") == NodeKind::File);
  // A directory not listed is still asked name by name.
  CHECK(tree.kind("/a/late") == NodeKind::File);
  // So is any other spelling of a listed name (a plan joins "/" + "/" + name where a
  // rule's path is a link to the root).
  CHECK(tree.kind("//f") == NodeKind::File);
  CHECK(tree.kind("/a/..") == NodeKind::Dir);
  CHECK(tree.kind("/.") == NodeKind::Dir);
  CHECK(tree.kind("/") == NodeKind::Dir);  // no listing names the root itself
}

TEST_CASE("an extracted package's tree answers kinds from its index, without looking on disk") {
  test::TempDir root;
  REQUIRE(::mkdir((root / "usr").c_str(), 0755) == 0);
  test::write_file(root / "usr/tool", "x");
  REQUIRE(write_tree_index(root.path(), root / "index"));
  // Changed on disk after the index was written: a package's tree never is, so the
  // index is believed, and what the disk says now is not asked.
  test::write_file(root / "usr/late", "x");
  REQUIRE(::unlink((root / "usr/tool").c_str()) == 0);
  DiskTree tree(root.path());
  std::optional<TreeIndex> index = TreeIndex::open(root / "index");
  REQUIRE(index);
  tree.use_index(std::make_shared<const TreeIndex>(std::move(*index)));
  CHECK(tree.kind("/") == NodeKind::Dir);
  CHECK(tree.kind("/usr") == NodeKind::Dir);
  CHECK(tree.kind("/usr/tool") == NodeKind::File);
  CHECK(tree.kind("/usr/late") == NodeKind::Absent);
  // Another spelling is asked of the disk.
  CHECK(tree.kind("/usr/./late") == NodeKind::File);
}
