// Golden launch plans: format_launch_plan() of a dozen scenarios compared with the
// plans checked in under tests/unit/golden/launch/, built against in-memory hosts
// without root. A change to the planner shows up as a reviewable diff of plans.
// APPV_UPDATE_GOLDEN=1 rewrites the files (review them with git diff before
// committing); otherwise a missing or different file fails the test.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "launch/launch_plan.h"
#include "launch/plan_format.h"

using namespace appv;

namespace {

const std::vector<std::string> kHostEnv{"HOME=/home/u", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin",
                                        "USER=u", "LD_PRELOAD=/usr/lib/libfoo.so"};

// A merged-/usr host like Debian 12's, with a user u whose home holds documents.
MemoryTree merged_usr_host() {
  MemoryTree t;
  for (const char* d : {"/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/etc", "/proc", "/dev", "/sys", "/run",
                        "/tmp", "/opt", "/var/lib", "/srv", "/home/u/Documents", "/home/u/.config",
                        "/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes", "/home/other"}) {
    t.add(d, NodeKind::Dir);
  }
  t.add("/bin", NodeKind::Symlink, "usr/bin");
  t.add("/sbin", NodeKind::Symlink, "usr/sbin");
  t.add("/lib", NodeKind::Symlink, "usr/lib");
  t.add("/lib64", NodeKind::Symlink, "usr/lib64");
  t.add("/home/u/.bashrc", NodeKind::File);
  t.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);  // libc-bin's
  return t;
}

// A split-/usr host (Debian 11 upgraded in place): /bin, /lib are real directories.
MemoryTree split_usr_host() {
  MemoryTree s;
  for (const char* d : {"/bin", "/sbin", "/lib/x86_64-linux-gnu", "/lib64", "/usr/bin", "/usr/lib/x86_64-linux-gnu", "/etc",
                        "/proc", "/dev", "/sys", "/run", "/tmp", "/opt", "/home/u/Documents",
                        "/home/u/.cache/appv/D/root", "/home/u/.local/share/appv/sandboxes"}) {
    s.add(d, NodeKind::Dir);
  }
  s.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);
  return s;
}

// jq as closure capture packs it on a merged-/usr host.
MemoryTree jq_package() {
  MemoryTree t;
  t.add("/usr/bin/jq", NodeKind::File);
  t.add("/usr/lib/x86_64-linux-gnu/libjq.so.1", NodeKind::File);
  t.add("/usr/lib64/ld-linux-x86-64.so.2", NodeKind::Symlink, "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  t.add("/lib", NodeKind::Symlink, "usr/lib");
  t.add("/lib64", NodeKind::Symlink, "usr/lib64");
  t.add("/bin", NodeKind::Symlink, "usr/bin");
  return t;
}

Manifest manifest(const std::string& extra = {}) {
  return parse_manifest("id = \"org.example.jq\"\nversion = \"1.6\"\n[entry.jq]\npath = \"/usr/bin/jq\"\nargs = [\"-C\"]\n" + extra,
                        "manifest.toml");
}

LaunchInputs inputs(const Manifest& m) {
  LaunchInputs in;
  in.kind = LaunchKind::Run;
  in.package_path = "jq.appv";
  in.manifest = &m;
  in.digest = "D";
  in.args = {".a", "in file.json"};
  in.user = {{"HOME", "/home/u"},
             {"USER", "u"},
             {"XDG_CONFIG_HOME", "/home/u/.config"},
             {"XDG_DATA_HOME", "/home/u/.local/share"},
             {"XDG_CACHE_HOME", "/home/u/.cache"},
             {"XDG_STATE_HOME", "/home/u/.local/state"}};
  in.cwd = "/home/u/Documents";
  in.environ = kHostEnv;
  in.pid = 4321;
  in.cache = "/home/u/.cache/appv";
  in.sandboxes = "/home/u/.local/share/appv/sandboxes";
  return in;
}

std::string golden_path(const std::string& name) { return std::string(APPV_GOLDEN_DIR) + "/launch/" + name; }

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* update = std::getenv("APPV_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path) << actual;
    WARN("rewrote " << path);
    return;
  }
  std::ifstream in(path);
  INFO("golden file " << path << " (APPV_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE(in.good());
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

void check_plan(const std::string& name, const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package) {
  check_golden(name + ".txt", format_launch_plan(plan_launch(in, host, package), in.environ));
}

}  // namespace

TEST_CASE("launch plan: defaults on a merged-/usr host") {
  const Manifest m = manifest();
  check_plan("defaults", inputs(m), merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: defaults on a split-/usr host") {
  const Manifest m = manifest();
  check_plan("split_usr_host", inputs(m), split_usr_host(), jq_package());
}

TEST_CASE("launch plan: the manifest's isolation rules and environment") {
  const Manifest m = manifest("[isolation]\n\"/opt\" = \"full\"\n\"~/.mozilla\" = \"full\"\n\"/srv\" = \"merged\"\n"
                              "[env]\nset = { JQ_COLORS = \"1;30\", DATA = \"${XDG_DATA_HOME}/jq\" }\n"
                              "prepend = { PATH = \"${APPV_ROOT}/usr/bin\" }\nunset = [\"LD_PRELOAD\"]\n");
  LaunchInputs in = inputs(m);
  in.host_paths = {{"/srv"}, "/etc/appv/policy.toml"};
  check_plan("manifest_rules", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: --isolate overrides the defaults and the manifest") {
  const Manifest m = manifest("[isolation]\n\"/opt\" = \"full\"\n");
  LaunchInputs in = inputs(m);
  in.isolate = {"/opt=writecopy", "~/Documents=writecopy", "/tmp=full"};
  check_plan("isolate_overrides", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: full isolation of the system trees hides the host's") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.isolate = {"/usr=full", "/etc=full", "/lib=full", "/lib64=full", "/bin=full"};
  check_plan("mode_full", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: a merged prefix lays the package's directories over the host's") {
  MemoryTree package = jq_package();
  package.add("/opt/jq/share/doc", NodeKind::Dir);
  MemoryTree host = merged_usr_host();
  host.add("/opt/other", NodeKind::Dir);
  const Manifest m = manifest("[isolation]\n\"/opt\" = \"merged\"\n");
  LaunchInputs in = inputs(m);
  in.host_paths = {{"/opt"}, "/etc/appv/policy.toml"};
  check_plan("mode_merged", in, host, package);
}

TEST_CASE("launch plan: host paths pass sockets and trees through") {
  MemoryTree host = merged_usr_host();
  host.add("/tmp/.X11-unix/X0", NodeKind::Other);
  host.add("/var/lib/app", NodeKind::Dir);
  const Manifest m = manifest("[isolation]\n\"/tmp\" = \"full\"\n\"/tmp/.X11-unix/X0\" = \"host\"\n\"/var/lib/app\" = \"host\"\n");
  LaunchInputs in = inputs(m);
  in.host_paths = {{"/var/lib/app"}, "/etc/appv/policy.toml"};
  check_plan("mode_host", in, host, jq_package());
}

TEST_CASE("launch plan: --isolate covers the deeper defaults and manifest rules") {
  const Manifest m = manifest("[isolation]\n\"~/.ssh\" = \"host\"\n\"/srv/data\" = \"full\"\n");
  LaunchInputs in = inputs(m);
  in.host_paths = {{"~/.ssh"}, "/etc/appv/policy.toml"};
  in.isolate = {"~=full"};
  check_plan("isolate_covers_home", in, merged_usr_host(), jq_package());
  in.isolate = {"/home=full", "/srv=writecopy"};
  check_plan("isolate_covers_all_homes", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: host links from dotfiles into documents get the app's own copy") {
  MemoryTree host = merged_usr_host();
  host.add("/home/u/dotfiles/bashrc", NodeKind::File);
  host.add("/home/u/.bashrc2", NodeKind::Symlink, "dotfiles/bashrc");
  host.add("/home/u/Documents/dotfiles/nvim", NodeKind::Dir);
  host.add("/home/u/.config/nvim", NodeKind::Symlink, "/home/u/Documents/dotfiles/nvim");
  host.add("/home/u/.dotvim/vimrc", NodeKind::File);
  host.add("/home/u/.vimrc", NodeKind::Symlink, ".dotvim/vimrc");      // writecopy already
  host.add("/home/u/.profile", NodeKind::Symlink, "Documents/missing");  // dangles
  const Manifest m = manifest();
  check_plan("links_into_documents", inputs(m), host, jq_package());
}

TEST_CASE("launch plan: a HOME and an XDG directory reached through links get their rules where the links lead") {
  // Homes moved to another disk (/home/u -> /data/home/u) and a cache elsewhere again;
  // appv's own directories come already resolved (base/user_dirs.h require_xdg_dir).
  MemoryTree host;
  for (const char* d : {"/usr/bin", "/etc", "/proc", "/dev", "/sys", "/run", "/tmp", "/srv/cache-u/appv/D/root",
                        "/data/home/u/Documents", "/data/home/u/.config", "/data/home/u/.local/share/appv/sandboxes"}) {
    host.add(d, NodeKind::Dir);
  }
  host.add("/home/u", NodeKind::Symlink, "/data/home/u");
  host.add("/data/home/u/.cache", NodeKind::Symlink, "../../../srv/cache-u");
  host.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);
  const Manifest m = manifest("[isolation]\n\"~/.mozilla\" = \"full\"\n");
  LaunchInputs in = inputs(m);
  in.cwd = "/data/home/u/Documents";
  in.cache = "/srv/cache-u/appv";
  in.sandboxes = "/data/home/u/.local/share/appv/sandboxes";
  in.isolate = {"~/.config=full"};
  const LaunchPlan plan = plan_launch(in, host, jq_package());
  check_golden("home_through_link.txt", format_launch_plan(plan, in.environ));
  // Nothing is planned at a path through a link: the app's environment alone keeps the
  // user's spelling of HOME.
  for (const auto& [prefix, rule] : plan.rules.rules()) CHECK_FALSE(prefix.starts_with("/home/u"));
  const std::string json = launch_plan_json(plan);
  CHECK_THAT(json, !Catch::Contains("\"/home/u/"));
  CHECK_THAT(json, Catch::Contains("\"HOME=/home/u\""));
  CHECK(plan.rules.lookup("/data/home/u/.bashrc").mode == Isolation::WriteCopy);
  CHECK(plan.rules.lookup("/data/home/u/Documents/a.txt").mode == Isolation::Merged);
  CHECK(plan.rules.lookup("/data/home/u/.mozilla").mode == Isolation::Full);
  CHECK(plan.rules.lookup("/data/home/u/.config/x").mode == Isolation::Full);
  CHECK(plan.rules.lookup("/srv/cache-u/x").mode == Isolation::WriteCopy);
}

TEST_CASE("launch plan: a sandboxes directory that is a link is hidden where the link leads") {
  // ~/.local/share/appv/sandboxes linked to another disk: an app reaches it through the
  // link, so the view must hide the directory it leads to.
  MemoryTree host = merged_usr_host();
  host.add("/srv/sb/org.example.other", NodeKind::Dir);
  host.add("/home/u/.local/share/appv/sb-link", NodeKind::Symlink, "/srv/sb");
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.sandboxes = "/home/u/.local/share/appv/sb-link";
  std::vector<std::string> hidden;
  for (const MountOp& op : plan_launch(in, host, jq_package()).mounts.ops) {
    if (op.type == MountOp::Type::Hide) hidden.push_back(op.target);
  }
  CHECK(hidden == std::vector<std::string>{"/srv/sb"});
}

TEST_CASE("launch plan: manifest rules opening host paths are refused unless the policy grants them") {
  const Manifest m = manifest("[isolation]\n\"~/.ssh\" = \"host\"\n\"/srv\" = \"merged\"\n\"~/Documents\" = \"host\"\n");
  LaunchInputs in = inputs(m);
  check_plan("policy_no_file", in, merged_usr_host(), jq_package());
  in.host_paths = {{"~"}, "/etc/appv/policy.toml"};
  check_plan("policy_broad_grant", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: a host tree with a mount below it") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.host_mounts = {"/", "/proc", "/srv/data", "/usr/local/nvidia"};
  MemoryTree host = merged_usr_host();
  host.add("/srv/data", NodeKind::Dir);
  host.add("/usr/local/nvidia", NodeKind::Dir);
  check_plan("mount_below", in, host, jq_package());
}

TEST_CASE("launch plan: /usr with a mount below it, where the package brings /usr files") {
  // An Ubuntu host with the NVIDIA driver on its own disk at /usr/local/nvidia.
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.host_mounts = {"/", "/proc", "/dev", "/sys", "/run", "/usr/local/nvidia"};
  MemoryTree host = merged_usr_host();
  host.add("/usr/local/bin", NodeKind::Dir);
  host.add("/usr/local/nvidia/lib64/libcuda.so.1", NodeKind::File);
  host.add("/usr/local/man", NodeKind::Symlink, "share/man");
  host.add("/usr/local/README", NodeKind::File);
  host.add("/usr/share/doc", NodeKind::Dir);
  check_plan("mount_below_usr", in, host, jq_package());
  // The JSON names the split and its layer's entries.
  const std::string json = launch_plan_json(plan_launch(in, host, jq_package()));
  CHECK_THAT(json, Catch::Contains("\"target\": \"/usr/local\",\n      \"type\": \"split\""));
  CHECK_THAT(json, Catch::Contains("\"kind\": \"file\",\n          \"name\": \"README\",\n          \"source\": \"/usr/local/README\""));
  CHECK_THAT(json, Catch::Contains("\"kind\": \"symlink\",\n          \"link\": \"share/man\",\n          \"name\": \"man\""));
  // The same on a split-/usr host.
  MemoryTree split = split_usr_host();
  split.add("/usr/local/nvidia/lib64/libcuda.so.1", NodeKind::File);
  check_plan("mount_below_usr_split_host", in, split, jq_package());
}

TEST_CASE("launch plan: a mount two levels down, inside a mount of its own below /usr") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.host_mounts = {"/", "/proc", "/usr/local", "/usr/local/share/appv-data"};
  MemoryTree host = merged_usr_host();
  host.add("/usr/local/share/appv-data/inside.txt", NodeKind::File);
  host.add("/usr/local/share/man", NodeKind::Dir);
  host.add("/usr/local/host-file.txt", NodeKind::File);
  check_plan("mount_two_levels_down", in, host, jq_package());
}

TEST_CASE("launch plan: a container's host, its root on overlayfs and files bound into /etc") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  // Docker's shape: "/" is an overlay (a mount like any other at the top), and the
  // runtime binds hosts, hostname and resolv.conf over files of the image's /etc.
  in.host_mounts = {"/", "/proc", "/dev", "/dev/pts", "/sys", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"};
  MemoryTree host = merged_usr_host();
  for (const char* f : {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/passwd"}) host.add(f, NodeKind::File);
  host.add("/etc/ssl/certs", NodeKind::Dir);
  host.add("/etc/localtime", NodeKind::Symlink, "/usr/share/zoneinfo/Etc/UTC");
  check_plan("container_host", in, host, jq_package());
}

TEST_CASE("launch plan: a package with files under $HOME") {
  MemoryTree package = jq_package();
  package.add("/home/u/.config/jq/settings", NodeKind::File);
  package.add("/home/u/.jq", NodeKind::File);
  const Manifest m = manifest();
  check_plan("package_in_home", inputs(m), merged_usr_host(), package);
}

TEST_CASE("launch plan: a user's first launch hides the sandboxes directory it is about to create") {
  MemoryTree host;
  for (const char* d : {"/usr/bin", "/etc", "/proc", "/dev", "/sys", "/run", "/tmp", "/home/u/Documents"}) host.add(d, NodeKind::Dir);
  host.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  // Arguments and values are shown quoted, control bytes escaped: they cannot fake lines.
  in.args = {"it's", "two\nlines", "\x1b[31mred"};
  in.environ.push_back("EDITOR=vi\nFAKE=1");
  check_plan("first_launch", in, host, jq_package());
}

TEST_CASE("launch plan: a second launch joins the running instance's view") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  const std::string id = plan_launch(in, merged_usr_host(), jq_package()).view_id;
  in.find_instance = [&](const std::string& sandbox) -> std::optional<Instance> {
    CHECK(sandbox == "/home/u/.local/share/appv/sandboxes/org.example.jq");
    return Instance{777, id};
  };
  const LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::Join);
  check_golden("join.txt", format_launch_plan(plan, in.environ));
}

TEST_CASE("launch plan: the ptrace backend joins nothing, and ends an idle instance first") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.backend = Backend::Ptrace;
  const std::string id = plan_launch(in, merged_usr_host(), jq_package()).view_id;
  Instance found{777, id, true};
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return found; };
  LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::ReplaceIdle);
  CHECK_THAT(format_launch_plan(plan, in.environ),
             Catch::Contains("start:   end the idle instance (pid 777), whose overlay holds the upper directory the "
                             "ptrace backend writes, and build the view\n"));
  found.idle = false;  // running: the ptrace launch goes on beside it
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Build);
  found.view_id = "another view";
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Build);
  found.unreachable = true;  // seen from another user namespace: ended if idle, else beside it
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::ReplaceIdle);
  CHECK_THAT(format_launch_plan(plan, in.environ),
             Catch::Contains("which this launch cannot enter, if it is idle, and build the view (beside it if it is not)"));
  CHECK(decide_start(std::nullopt, id, Backend::Ptrace) == Start::Build);
}

TEST_CASE("launch plan: a launch with other rules than the running instance's is refused") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.isolate = {"/usr=full"};
  in.find_instance = [](const std::string&) -> std::optional<Instance> { return Instance{777, "another view"}; };
  const LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::Refuse);
  check_golden("refuse.txt", format_launch_plan(plan, in.environ));
  try {
    throw_refused(plan, *plan.running);
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Busy);
    CHECK_THAT(e.what(), Catch::StartsWith("org.example.jq is already running (pid 777) with another version"));
  }
}

TEST_CASE("launch plan: an idle instance is joined with the same rules, ended with others") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  const std::string id = plan_launch(in, merged_usr_host(), jq_package()).view_id;
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return Instance{777, id, true}; };
  LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::Join);
  CHECK_THAT(format_launch_plan(plan, in.environ), Catch::Contains("start:   join the view of the idle instance (pid 777)\n"));
  // Planned without the namespace probe (a join creates no namespace): the why says so,
  // and apply() hands the launch back to be probed if the view went (join_unprobed).
  CHECK(plan.join_unprobed);
  CHECK_THAT(plan.backend_why, Catch::EndsWith("; not probed: the launch joins the namespaces of a view that exists"));
  in.namespaces = NamespaceSupport{};  // probed: its answer holds for a build too
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK((plan.start == Start::Join && !plan.join_unprobed));
  CHECK_THAT(plan.backend_why, !Catch::Contains("not probed"));
  in.namespaces.reset();
  in.backend = Backend::Namespaces;  // --backend ns: a build after the view went is the user's choice
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK((plan.start == Start::Join && !plan.join_unprobed));
  in.backend.reset();
  in.isolate = {"/usr=full"};
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::ReplaceIdle);
  CHECK(to_string(plan.start) == "replace-idle");
  CHECK_THAT(format_launch_plan(plan, in.environ),
             Catch::Contains("start:   end the idle instance (pid 777), which shows another version, other rules or a "
                             "package tree since replaced, and build the view\n"));
  // One where something runs is refused, as before.
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return Instance{777, id, false}; };
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Refuse);
  // One over a package tree since replaced (the cache removed by hand) is not joined.
  in.isolate = {};
  Instance replaced{777, id, true};
  replaced.tree_replaced = true;
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return replaced; };
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::ReplaceIdle);
  replaced.idle = false;
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Refuse);
  // One this launch cannot enter is never joined: ended if it is idle, else refused.
  in.isolate = {};
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return Instance{777, id, false, true}; };
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::ReplaceIdle);
  CHECK_THAT(format_launch_plan(plan, in.environ),
             Catch::Contains("start:   end the instance (pid 777), which this launch cannot enter, if it is idle"));
  try {
    throw_refused(plan, *plan.running);
    FAIL("not refused");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Busy);
    CHECK_THAT(e.what(), Catch::Contains("(pid 777) in a user namespace this launch cannot enter"));
  }
}

TEST_CASE("launch plan: the view lingers for APPV_LINGER_MS, 2 s by default, after a run only") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).linger == std::chrono::milliseconds(2000));
  in.environ.push_back("APPV_LINGER_MS=250");
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).linger == std::chrono::milliseconds(250));
  in.environ.back() = "APPV_LINGER_MS=0";
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).linger == std::chrono::milliseconds(0));
  for (const char* bad : {"APPV_LINGER_MS=", "APPV_LINGER_MS=2s", "APPV_LINGER_MS=-1", "APPV_LINGER_MS=86400001",
                          "APPV_LINGER_MS=999999999999"}) {
    in.environ.back() = bad;
    try {
      plan_launch(in, merged_usr_host(), jq_package());
      FAIL("accepted " << bad);
    } catch (const Error& e) {
      CHECK(e.code() == Exit::Usage);
      CHECK_THAT(e.what(), Catch::StartsWith("APPV_LINGER_MS must be a number of milliseconds"));
    }
  }
  in.environ.back() = "APPV_LINGER_MS=5000";
  in.kind = LaunchKind::Temp;  // ends with the app
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).linger == std::chrono::milliseconds(0));
  in.kind = LaunchKind::Run;
  in.backend = Backend::Ptrace;  // nothing would join it
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).linger == std::chrono::milliseconds(0));
}

TEST_CASE("launch plan: from another working directory a running instance is joined, an idle one gives way") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.cwd = "/srv/a";
  const std::string there = plan_launch(in, merged_usr_host(), jq_package()).view_id;
  in.cwd = "/srv/b";
  const std::string here = plan_launch(in, merged_usr_host(), jq_package()).view_id;
  // The rules' part is the same; the working directory's is not.
  REQUIRE(there.size() == 49);
  CHECK(there.substr(0, 33) == here.substr(0, 33));
  CHECK(there != here);
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return Instance{777, there, false}; };
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Join);
  // Idle: the launch from b must not work with a's grant (a merged from the host, b
  // only writecopy in a's view).
  in.find_instance = [&](const std::string&) -> std::optional<Instance> { return Instance{777, there, true}; };
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::ReplaceIdle);
  in.cwd = "/srv/a";
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).start == Start::Join);
  // Other rules than the working directory's still change the rules' part.
  in.isolate = {"/srv=full"};
  CHECK(plan_launch(in, merged_usr_host(), jq_package()).view_id.substr(0, 33) != there.substr(0, 33));
}

TEST_CASE("launch plan: a working directory among appv's sandboxes is not made a place of the view") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  // Every view hides the sandboxes; merging the working directory there would show one.
  in.cwd = "/home/u/.local/share/appv/sandboxes/org.example.other/upper";
  CHECK(format_launch_plan(plan_launch(in, merged_usr_host(), jq_package()), in.environ).find("(working directory)") ==
        std::string::npos);
  // A directory beside them is.
  in.cwd = "/home/u/.local/share/appv-notes";
  CHECK(format_launch_plan(plan_launch(in, merged_usr_host(), jq_package()), in.environ).find("(working directory)") !=
        std::string::npos);
}

TEST_CASE("launch plan: --temp runs in a sandbox of its own, removed at exit, never joined") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.kind = LaunchKind::Temp;
  in.find_instance = [](const std::string&) -> std::optional<Instance> { return Instance{777, "x"}; };
  const LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.start == Start::Build);
  check_golden("temp.txt", format_launch_plan(plan, in.environ));
}

TEST_CASE("launch plan: install capture puts the whole host in writecopy") {
  LaunchInputs in = inputs(manifest());
  in.kind = LaunchKind::InstallCapture;
  in.manifest = nullptr;
  in.args = {"dpkg", "-i", "tool.deb"};
  in.program = "/usr/bin/dpkg";
  in.cwd = "/root";
  in.as_root = true;
  check_plan("install_capture", in, merged_usr_host(), MemoryTree());
}

TEST_CASE("launch plan: a clean environment, as root") {
  const Manifest m = manifest("[env]\nclean = true\nset = { LANG = \"C.UTF-8\" }\n");
  LaunchInputs in = inputs(m);
  in.as_root = true;
  check_plan("clean_env_root", in, merged_usr_host(), jq_package());
}

TEST_CASE("launch plan: an unknown entry point or a bad --isolate is a usage error") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.entry = "nope";
  try {
    plan_launch(in, merged_usr_host(), jq_package());
    FAIL("planned an unknown entry point");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Usage);
    CHECK_THAT(e.what(), Catch::Contains("nope"));
  }
  in.entry.clear();
  in.isolate = {"relative=full"};
  try {
    plan_launch(in, merged_usr_host(), jq_package());
    FAIL("accepted a relative --isolate prefix");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Usage);
    CHECK_THAT(e.what(), Catch::Contains("not an absolute, normalised path"));
  }
}

TEST_CASE("launch plan: argv[0] is the entry's path unless a name is given (the stub through a link)") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.args = {".a"};
  LaunchPlan plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.argv == std::vector<std::string>{plan.entry_path, "-C", ".a"});  // the entry's own args, then the user's
  in.argv0 = "jq";
  plan = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(plan.argv == std::vector<std::string>{"jq", "-C", ".a"});
  CHECK(plan.program == plan.entry_path);  // what is executed does not change
}

TEST_CASE("launch plan: the JSON shape") {
  const Manifest m = manifest();
  check_golden("defaults.json", launch_plan_json(plan_launch(inputs(m), merged_usr_host(), jq_package())));
}

TEST_CASE("launch plan: the namespace probe's answer is the backend's why, in text and JSON") {
  const Manifest m = manifest();
  LaunchInputs in = inputs(m);
  in.namespaces = NamespaceSupport{};
  const LaunchPlan usable = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(usable.backend_why == "user and mount namespaces; only the caller's uid and gid mapped; probed: a user "
                              "namespace, its id maps, mounts and overlayfs work here");
  const nlohmann::json usable_probe = nlohmann::json::parse(launch_plan_json(usable))["backend"]["probe"];
  CHECK(usable_probe == nlohmann::json::parse(R"({"usable": true, "failed_step": null, "errno": null, "cause": null,
                                                  "reason": null, "ways_out": null, "message": null})"));

  NamespaceFacts facts;
  facts.max_user_namespaces = 0;
  in.namespaces = diagnose_refusal(NamespaceStep::UserNamespace, ENOSPC, facts);
  // Left to choose, appv takes the ptrace backend, and says why and that it did.
  const LaunchPlan refused = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(refused.backend == Backend::Ptrace);
  CHECK_THAT(format_launch_plan(refused, in.environ),
             Catch::Contains("backend: ptrace (no namespaces: the app's path system calls redirected into the view by a "
                             "ptrace supervisor, chosen because this host refuses the ns backend: cannot create a user "
                             "namespace: No space left on device (ENOSPC); user namespaces are disabled on this host "
                             "(user.max_user_namespaces=0); ways out: "));
  REQUIRE(refused.notices.size() == 1);
  CHECK_THAT(refused.notices[0], Catch::StartsWith("appv: this host refuses the namespaces appv's ns backend needs; "
                                                   "running with the ptrace backend"));
  // Asked for by name, ns stays ns, refused.
  in.backend = Backend::Namespaces;
  const LaunchPlan forced = plan_launch(in, merged_usr_host(), jq_package());
  CHECK(forced.backend == Backend::Namespaces);
  CHECK(forced.notices.empty());
  CHECK_THAT(format_launch_plan(forced, in.environ),
             Catch::Contains("backend: ns (refused on this host: cannot create a user namespace: No space left on device "
                             "(ENOSPC); user namespaces are disabled on this host (user.max_user_namespaces=0); ways out: "));
  const nlohmann::json probe = nlohmann::json::parse(launch_plan_json(refused))["backend"]["probe"];
  CHECK(probe["usable"] == false);
  CHECK(probe["failed_step"] == "user-namespace");
  CHECK(probe["errno"] == "ENOSPC");
  CHECK(probe["cause"] == "max-user-namespaces");
  CHECK(probe["reason"] == "user namespaces are disabled on this host (user.max_user_namespaces=0)");
  CHECK(probe["ways_out"] == "an administrator can enable them: sysctl -w user.max_user_namespaces=15000 (and in "
                             "/etc/sysctl.d to keep it); or leave out --backend ns to run with the ptrace backend, which "
                             "needs no namespaces (it redirects paths; it is not a sandbox)");
  CHECK(probe["message"] == refusal_message(*in.namespaces));
}
