// The `ns` backend's steps in forked children, as Chromium's sandbox tests do: entering
// namespaces and mounting change a process for good, so each case forks, lets the
// child enter the view and report through its exit status (and stderr), and checks
// from outside what the child left in its sandbox.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "base/error.h"
#include "base/fs_util.h"
#include "redirect/child.h"
#include "redirect/instance.h"
#include "redirect/mounts.h"
#include "redirect/namespaces.h"
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
    plan = make_plan(rules, DiskTree("/"), DiskTree(root), Layout{root, sandbox, {}, locked_mount_points(), {}});
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
