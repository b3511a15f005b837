// The `ns` backend's steps in forked children, as Chromium's sandbox tests do: entering
// namespaces and mounting change a process for good, so each case forks, lets the
// child enter the view and report through its exit status (and stderr), and checks
// from outside what the child left in its sandbox.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "base/error.h"
#include "base/fs_util.h"
#include "redirect/child.h"
#include "redirect/instance.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
#include "redirect/shared_overlay.h"
#include "tests/unit/support/temp_dir.h"
#include "vfs/sandbox.h"
#include "vfs/view.h"

#include "tests/unit/support/in_child.h"

using namespace appv;
using appv::test::in_child;
using appv::test::TempDir;

namespace {

bool file_is(const std::string& path, const std::string& content) {
  return appv::test::exists(path) && appv::test::read_file(path) == content;
}

// A package tree with /data/hello.txt, a sandbox, and the plan that shows the package
// alone ("/" full: every host tree hidden).
struct FullView {
  TempDir dir;
  std::string root = dir / "pkg";
  std::string sandbox = dir / "sandbox";
  Plan plan;

  FullView() {
    make_dirs(root + "/data");
    appv::test::write_file(root + "/data/hello.txt", "from the package");
    RuleSet rules;
    rules.set("/", Isolation::Full, RuleOrigin::CommandLine);
    plan = make_plan(rules, DiskTree("/"), DiskTree(root), Layout{root, sandbox, {}, host_mount_points(), {}, {}});
    make_plan_dirs(sandbox, plan.dirs_to_create, root);
  }
};

}  // namespace

TEST_CASE("ns backend: a child enters its own mount namespace; the parent's stays as it was") {
  char before[64] = {};
  REQUIRE(::readlink("/proc/self/ns/mnt", before, sizeof before - 1) > 0);
  const int status = in_child([&] {
    enter_namespaces();
    char now[64] = {};
    if (::readlink("/proc/self/ns/mnt", now, sizeof now - 1) <= 0) return 2;
    return std::string(now) != before ? 0 : 3;
  });
  CHECK(status == 0);
  char after[64] = {};
  REQUIRE(::readlink("/proc/self/ns/mnt", after, sizeof after - 1) > 0);
  CHECK(std::string(after) == before);
}

TEST_CASE("ns backend: the view shows the package, hides the host and sends writes to the sandbox") {
  FullView v;
  const int status = in_child([&] {
    NamespaceState ns = enter_namespaces();
    enter_view(v.plan, ns);
    if (!file_is("/data/hello.txt", "from the package")) return 2;
    if (appv::test::exists("/etc/passwd")) return 3;  // the host's /etc is hidden
    appv::test::write_file("/data/new.txt", "written by the app");
    if (::unlink("/data/hello.txt") != 0) return 4;
    return 0;
  });
  CHECK(status == 0);
  CHECK(file_is(v.sandbox + "/upper/data/new.txt", "written by the app"));
  CHECK(is_whiteout(v.sandbox + "/upper/data/hello.txt"));
  CHECK(file_is(v.root + "/data/hello.txt", "from the package"));  // the package is untouched
  CHECK_FALSE(appv::test::exists(v.root + "/data/new.txt"));
}

TEST_CASE("ns backend: a second process joins the running instance's view and sees its writes") {
  FullView v;
  int ready[2], release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  std::fflush(nullptr);
  const pid_t first = ::fork();
  if (first == 0) {
    int code = 0;
    try {
      NamespaceState ns = enter_namespaces();
      enter_view(v.plan, ns);
      appv::test::write_file("/data/by-first.txt", "first");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "first instance: %s\n", e.what());
      code = 99;
    }
    char c = code ? 'x' : 'r';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(release[0], &c, 1);
    ::_exit(code);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'r');
  const int joined = in_child([&] {
    std::optional<NamespaceState> ns = join_instance(Instance{first, "view"});
    if (!ns) return 2;
    return file_is("/data/by-first.txt", "first") && file_is("/data/hello.txt", "from the package") ? 0 : 3;
  });
  CHECK(joined == 0);
  (void)!::write(release[1], "x", 1);
  int status = 0;
  ::waitpid(first, &status, 0);
  CHECK(WIFEXITED(status));
  // Once the instance is gone, joining it reports "exited" rather than failing.
  CHECK(in_child([&] { return join_instance(Instance{first, "view"}) ? 1 : 0; }) == 0);
  for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
}

TEST_CASE("ns backend: a rule's host tree is bound where the plan found it; a link swapped in since is refused") {
  FullView v;
  const std::string planned = v.dir / "host-tree";
  make_dirs(planned);
  appv::test::write_file(planned + "/judged.txt", "the place the policy judged");
  make_dirs(v.dir / "elsewhere");
  appv::test::write_file(v.dir / "elsewhere/secret.txt", "never judged");
  v.plan.ops.push_back(MountOp::bind_exact("/data/bound", planned, "test rule"));

  CHECK(in_child([&] {
    NamespaceState ns = enter_namespaces();
    enter_view(v.plan, ns);
    return file_is("/data/bound/judged.txt", "the place the policy judged") ? 0 : 2;
  }) == 0);

  // Between planning and mounting, the planned directory becomes a link elsewhere:
  // the launch fails with one line instead of binding what the link names.
  REQUIRE(::rename(planned.c_str(), (v.dir / "moved").c_str()) == 0);
  REQUIRE(::symlink((v.dir / "elsewhere").c_str(), planned.c_str()) == 0);
  const int refused = in_child([&] {
    NamespaceState ns = enter_namespaces();
    try {
      enter_view(v.plan, ns);
    } catch (const Error& e) {
      const std::string what = e.what();
      std::fprintf(stderr, "%s\n", what.c_str());
      return what.find("a link appeared on its way since the launch was planned") != std::string::npos &&
                     e.code() == Exit::Environment
                 ? 0
                 : 3;
    }
    return appv::test::exists("/data/bound/secret.txt") ? 4 : 5;
  });
  CHECK(refused == 0);
}

namespace {

// A running instance as a launch makes one: `enter` builds its view, then a PID
// namespace whose init waits until release(). `init` is that init's pid (host
// numbering), or -1 when the instance could not be made.
struct WaitingInstance {
  int init_pid_pipe[2] = {-1, -1}, release_pipe[2] = {-1, -1};
  pid_t first = -1, init = -1;

  explicit WaitingInstance(const std::function<void()>& enter) {
    if (::pipe(init_pid_pipe) != 0 || ::pipe(release_pipe) != 0) return;
    std::fflush(nullptr);
    first = ::fork();
    if (first == 0) {
      try {
        enter();
        if (::unshare(CLONE_NEWPID) != 0) throw std::runtime_error("unshare(CLONE_NEWPID) failed");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "instance: %s\n", e.what());
        const pid_t none = -1;
        (void)!::write(init_pid_pipe[1], &none, sizeof none);
        ::_exit(99);
      }
      const pid_t child = ::fork();
      if (child == 0) {
        char c;
        (void)!::read(release_pipe[0], &c, 1);
        ::_exit(0);
      }
      (void)!::write(init_pid_pipe[1], &child, sizeof child);
      int ws;
      ::waitpid(child, &ws, 0);
      ::_exit(0);
    }
    if (::read(init_pid_pipe[0], &init, sizeof init) != sizeof init) init = -1;
  }
  void release() { (void)!::write(release_pipe[1], "x", 1); }
  // The instance's exit status, once released.
  int wait() {
    release();
    int ws = 0;
    if (first > 0) ::waitpid(first, &ws, 0);
    first = -1;
    return ws;
  }
  ~WaitingInstance() {
    wait();
    for (int fd : {init_pid_pipe[0], init_pid_pipe[1], release_pipe[0], release_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

}  // namespace

TEST_CASE("run_joined: an instance whose init exits while a launch joins it is reported gone, not an error") {
  WaitingInstance instance([] { enter_namespaces(); });
  REQUIRE(instance.init > 0);
  const pid_t init = instance.init;
  bool app_ran = false;
  const std::optional<int> status = run_joined(
      Instance{init, "view"}, [&] { ::_exit(0); },
      // Joined, holding the instance's namespaces: its init exits now. The PID
      // namespace takes no new process from here (fork: ENOMEM).
      [&] {
        instance.release();
        while (!(::kill(init, 0) != 0 && errno == ESRCH)) ::usleep(1000);
      },
      [&](pid_t) { app_ran = true; });
  CHECK_FALSE(status.has_value());
  CHECK_FALSE(app_ran);
  const int ws = instance.wait();
  CHECK((WIFEXITED(ws) && WEXITSTATUS(ws) == 0));
}

TEST_CASE("run_joined: the app runs in the instance's namespaces and its status comes back") {
  FullView v;
  WaitingInstance instance([&] {
    NamespaceState ns = enter_namespaces();
    enter_view(v.plan, ns);
  });
  REQUIRE(instance.init > 0);
  pid_t joiner = 0;
  const std::optional<int> status = run_joined(
      Instance{instance.init, "view"}, [&] { ::_exit(file_is("/data/hello.txt", "from the package") ? 7 : 3); }, [] {},
      [&](pid_t p) { joiner = p; });
  instance.wait();
  REQUIRE(status.has_value());
  CHECK((WIFEXITED(*status) && WEXITSTATUS(*status) == 7));
  CHECK(joiner > 0);
}

TEST_CASE("run_child: an error before exec is thrown in the parent with its status and message") {
  try {
    run_child([] { throw Error(Exit::BadInput, "the child could not start"); });
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::BadInput);
    CHECK(std::string(e.what()) == "the child could not start");
  }
}

TEST_CASE("run_child: the program's exit status and its death by a signal come back") {
  const auto exec = [](std::vector<const char*> argv) {
    return [argv]() mutable {
      argv.push_back(nullptr);
      ::execv(argv[0], const_cast<char* const*>(argv.data()));
      throw_sys("cannot execute", argv[0], errno);
    };
  };
  const int ok = run_child(exec({"/bin/sh", "-c", "exit 7"}));
  CHECK(shell_status(ok) == 7);
  const int killed = run_child(exec({"/bin/sh", "-c", "kill -TERM $$"}));
  CHECK(WIFSIGNALED(killed));
  CHECK(shell_status(killed) == 128 + SIGTERM);
  try {
    run_child(exec({"/nonexistent/program"}));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/program"));
  }
}

namespace {

// A host directory `host` with a file, a link, a subdirectory and `mnt`, which the
// child makes a mount (a tmpfs holding inside.txt) before it builds the view: an
// overlay of `host` would show the empty directory below it. Entered from a user
// namespace below the one that mounted it, the kernel holds that mount locked, as a
// user's namespace holds a host's /usr/local/nvidia, and refuses the overlay. The
// package shows nothing but the path to `host` ("/" full); `host` is writecopy.
struct MountBelowView {
  TempDir dir;
  std::string root = dir / "pkg";
  std::string sandbox = dir / "sandbox";
  std::string host = dir / "host";

  MountBelowView() {
    appv::test::write_file(host + "/file.txt", "host file");
    appv::test::write_file(host + "/big.bin", std::string(2 << 20, 'x'));
    appv::test::write_file(host + "/sub/a.txt", "host sub");
    make_dirs(host + "/mnt");
    REQUIRE(::symlink("sub", (host + "/link").c_str()) == 0);
    make_dirs(root + host);
  }

  Plan plan(std::vector<std::string> locked) const {
    RuleSet rules;
    rules.set("/", Isolation::Full, RuleOrigin::CommandLine);
    rules.set(host, Isolation::WriteCopy, RuleOrigin::CommandLine);
    Plan p = make_plan(rules, DiskTree("/"), DiskTree(root), Layout{root, sandbox, {}, std::move(locked), {}, {}});
    make_plan_dirs(sandbox, p.dirs_to_create, root);
    return p;
  }

  // In the child: mounts the tmpfs at mnt in a mount namespace of its own, then enters
  // a mount namespace below it: with `locked`, in a user namespace of its own (uid 0
  // mapped to itself), which inherits the mount locked.
  NamespaceState mount_below(bool locked) const {
    NamespaceState ns;
    ns.user_namespace = ::geteuid() != 0;
    if (ns.user_namespace) {
      const uid_t uid = ::geteuid();
      const gid_t gid = ::getegid();
      if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) throw_sys("unshare", "user+mount", errno);
      appv::test::write_file("/proc/self/setgroups", "deny");
      appv::test::write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
      appv::test::write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
    } else if (::unshare(CLONE_NEWNS) != 0) {
      throw_sys("unshare", "mount", errno);
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw_sys("mount", "/ private", errno);
    if (::mount("tmpfs", (host + "/mnt").c_str(), "tmpfs", 0, "mode=0755") != 0) throw_sys("mount tmpfs", host + "/mnt", errno);
    appv::test::write_file(host + "/mnt/inside.txt", "in the mount");
    if (locked) {
      if (::unshare(CLONE_NEWUSER) != 0) throw_sys("unshare", "user", errno);
      appv::test::write_file("/proc/self/setgroups", "deny");
      appv::test::write_file("/proc/self/uid_map", "0 0 1");
      appv::test::write_file("/proc/self/gid_map", "0 0 1");
      ns.user_namespace = true;
    }
    enter_mount_namespace();
    return ns;
  }
};

}  // namespace

TEST_CASE("ns backend: a directory with a mount below it is split around it, locked or not") {
  const bool locked = GENERATE(true, false);
  INFO((locked ? "below a user namespace of its own: the mount is locked" : "in the namespace that mounted it"));
  MountBelowView v;
  const Plan plan = v.plan({v.host + "/mnt"});
  const int status = in_child([&] {
    enter_view(plan, v.mount_below(locked));
    const std::string& h = v.host;
    if (!file_is(h + "/file.txt", "host file")) return 2;
    if (!file_is(h + "/sub/a.txt", "host sub")) return 3;
    if (!file_is(h + "/mnt/inside.txt", "in the mount")) return 4;
    char link[16] = {};
    if (::readlink((h + "/link").c_str(), link, sizeof link - 1) != 3 || std::string(link) != "sub") return 5;
    // A small host file directly in the split directory is a copy in its layer: a
    // write copies it up. One too large to copy is bound read-only.
    if (appv::test::read_file(h + "/big.bin").size() != 2 << 20) return 6;
    const int fd = ::open((h + "/big.bin").c_str(), O_WRONLY | O_APPEND);
    if (fd >= 0 || errno != EROFS) return 7;
    appv::test::write_file(h + "/file.txt", "host file, changed");
    appv::test::write_file(h + "/top.txt", "new at the top");
    appv::test::write_file(h + "/sub/b.txt", "new in a directory");
    appv::test::write_file(h + "/mnt/new.txt", "new in the mount");
    appv::test::write_file(h + "/sub/a.txt", "changed");
    if (::unlink((h + "/link").c_str()) != 0) return 8;  // a lower entry: a whiteout in the sandbox
    return 0;
  });
  CHECK(status == 0);
  const std::string upper = v.sandbox + "/upper" + v.host;
  CHECK(file_is(upper + "/top.txt", "new at the top"));
  CHECK(file_is(upper + "/file.txt", "host file, changed"));
  CHECK(file_is(upper + "/sub/b.txt", "new in a directory"));
  CHECK(file_is(upper + "/sub/a.txt", "changed"));
  CHECK(file_is(upper + "/mnt/new.txt", "new in the mount"));
  CHECK(is_whiteout(upper + "/link"));
  // The split layer's mount points, links and copies stay out of the sandbox.
  CHECK(appv::test::list_tree(upper) ==
        std::vector<std::string>{"file.txt", "link", "mnt", "mnt/new.txt", "sub", "sub/a.txt", "sub/b.txt", "top.txt"});
  // The host is as it was.
  CHECK(file_is(v.host + "/sub/a.txt", "host sub"));
  CHECK(file_is(v.host + "/file.txt", "host file"));
  CHECK(appv::test::list_tree(v.host) == std::vector<std::string>{"big.bin", "file.txt", "link", "mnt", "sub", "sub/a.txt"});
}

TEST_CASE("ns backend: an overlay refused for a locked mount below its lower names that mount") {
  MountBelowView v;
  // A plan that does not know of the mount overlays the whole directory.
  const Plan plan = v.plan({});
  REQUIRE(std::any_of(plan.ops.begin(), plan.ops.end(),
                      [&](const MountOp& op) { return op.type == MountOp::Type::Overlay && op.target == v.host; }));
  const int status = in_child([&] {
    try {
      enter_view(plan, v.mount_below(true));
    } catch (const Error& e) {
      const std::string want = "cannot mount overlay on '" + v.host + "': Invalid argument (the lower directory '" +
                               v.host + "' has a mount below it ('" + v.host + "/mnt'), which a user namespace "
                               "inherits locked and overlayfs will not take as a layer)";
      if (e.code() == Exit::Environment && e.what() == want) return 0;
      std::fprintf(stderr, "%s\n", e.what());
      return 2;
    }
    return 1;
  });
  CHECK(status == 0);
}

TEST_CASE("ns backend: root's trees on the host's root mount share one overlay and act each as its own") {
  TempDir dir;
  const std::string root = dir / "pkg", sandbox = dir / "sandbox", a = dir / "host-a", b = dir / "host-b";
  appv::test::write_file(a + "/file.txt", "host a");
  appv::test::write_file(b + "/file.txt", "host b");
  make_dirs(root + dir.path());
  // The package alone ("/" full) but for the test's directory, merged (the host's, as
  // $HOME's parent is), in which a and b are writecopy: overlays of the host's trees.
  RuleSet rules;
  rules.set("/", Isolation::Full, RuleOrigin::CommandLine);
  rules.set(dir.path(), Isolation::Merged, RuleOrigin::CommandLine);
  rules.set(a, Isolation::WriteCopy, RuleOrigin::CommandLine);
  rules.set(b, Isolation::WriteCopy, RuleOrigin::CommandLine);
  const Plan plan = make_plan(rules, DiskTree("/"), DiskTree(root), Layout{root, sandbox, {}, host_mount_points(), {}, {}});
  make_plan_dirs(sandbox, plan.dirs_to_create, root);
  const bool shared = ::geteuid() == 0 && plan_shared_overlay(plan).has_value();
  if (!shared) WARN("one overlay per tree here (not root, or " << dir.path() << " not on the root mount): the shared overlay is not exercised");
  const int status = in_child([&] {
    NamespaceState ns = enter_namespaces();
    enter_view(plan, ns);
    if (!file_is(a + "/file.txt", "host a") || !file_is(b + "/file.txt", "host b")) return 2;
    appv::test::write_file(a + "/new.txt", "new in a");
    appv::test::write_file(b + "/file.txt", "host b, changed");
    if (::unlink((a + "/file.txt").c_str()) != 0) return 3;
    // One overlay: both trees on its one device (each tree is still a mount of its
    // own, so a rename between them is refused, EXDEV, as between two overlays).
    struct stat sa, sb;
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return 4;
    if ((sa.st_dev == sb.st_dev) != shared) return 5;
    return 0;
  });
  CHECK(status == 0);
  const std::string upper = sandbox + "/upper";
  CHECK(file_is(upper + a + "/new.txt", "new in a"));
  CHECK(is_whiteout(upper + a + "/file.txt"));
  CHECK(file_is(upper + b + "/file.txt", "host b, changed"));
  // The host is as it was.
  CHECK(appv::test::list_tree(a) == std::vector<std::string>{"file.txt"});
  CHECK(appv::test::list_tree(b) == std::vector<std::string>{"file.txt"});
  CHECK(file_is(a + "/file.txt", "host a"));
  CHECK(file_is(b + "/file.txt", "host b"));
}
