#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include "base/error.h"
#include "packager/noise.h"
#include "packager/trace_profile.h"
#include "packager/tracer.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;

namespace {

const Tokens kUser{{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/home/u/.cache"}, {"XDG_CONFIG_HOME", "/home/u/.config"}};

std::string rule(const NoiseRules& r, const std::string& path) { return r.excludes(path).value_or("kept"); }

}  // namespace

TEST_CASE("noise rules: trace capture drops the kernel's trees, temporary files, the home and documents") {
  Manifest m;
  NoiseRules r(CaptureKind::Trace, kUser, "/home/u/work", m);
  CHECK(rule(r, "/usr/lib/python3.11/json/__init__.py") == "kept");
  CHECK(rule(r, "/etc/magic") == "kept");
  CHECK_THAT(rule(r, "/proc/self/maps"), Catch::StartsWith("virtual file system"));
  CHECK_THAT(rule(r, "/tmp/x"), Catch::StartsWith("temporary files"));
  CHECK_THAT(rule(r, "/etc/ld.so.cache"), Catch::StartsWith("package manager state"));
  CHECK_THAT(rule(r, "/home/u/work/report.odt"), Catch::StartsWith("the working directory"));
  CHECK_THAT(rule(r, "/home/u/.config/app/x"), Catch::StartsWith("the user's home"));
  CHECK_THAT(rule(r, "/home/u/.cache/fontconfig/x"), Catch::StartsWith("the user's cache"));
}

TEST_CASE("noise rules: secrets need an explicit include; allow and deny adjust the rest") {
  Manifest m;
  m.capture.allow = {"~/.config/app/**", "/tmp/build/**"};
  m.capture.deny = {"/usr/share/doc/**"};
  NoiseRules r(CaptureKind::Trace, kUser, "/", m);
  CHECK_THAT(rule(r, "/home/u/.ssh/id_test"), Catch::StartsWith("secret: SSH keys"));
  CHECK_THAT(rule(r, "/srv/tls/server.pem"), Catch::StartsWith("secret: private keys"));
  CHECK_THAT(rule(r, "/root/.bash_history"), Catch::StartsWith("secret: shell"));
  CHECK(rule(r, "/home/u/.config/app/settings.ini") == "kept");
  CHECK(rule(r, "/tmp/build/plugin.so") == "kept");
  CHECK(rule(r, "/usr/share/doc/x/README") == "manifest capture.deny");
  m.capture.allow.push_back("~/.ssh/**");  // allow does not reach secrets
  CHECK_THAT(rule(NoiseRules(CaptureKind::Trace, kUser, "/", m), "/home/u/.ssh/id_test"), Catch::StartsWith("secret"));
  m.include = {"/home/u/.ssh/id_test"};  // an explicit include does
  CHECK(rule(NoiseRules(CaptureKind::Trace, kUser, "/", m), "/home/u/.ssh/id_test") == "kept");
}

TEST_CASE("noise rules: host state is never captured, by trace or install, and allow does not bring it back") {
  Manifest m;
  m.capture.allow = {"/etc/**"};
  for (CaptureKind kind : {CaptureKind::Trace, CaptureKind::Install}) {
    NoiseRules r(kind, kUser, "/", m);
    CHECK_THAT(rule(r, "/etc/passwd"), Catch::StartsWith("host state: users and groups"));
    CHECK_THAT(rule(r, "/etc/group"), Catch::StartsWith("host state: users and groups"));
    CHECK_THAT(rule(r, "/etc/nsswitch.conf"), Catch::StartsWith("host state: name service"));
    CHECK_THAT(rule(r, "/etc/resolv.conf"), Catch::StartsWith("host state: name service"));
    CHECK_THAT(rule(r, "/etc/hosts"), Catch::StartsWith("host state: name service"));
    CHECK_THAT(rule(r, "/etc/hostname"), Catch::StartsWith("host state: name service"));
    CHECK_THAT(rule(r, "/etc/localtime"), Catch::StartsWith("host state: time zone"));
    CHECK_THAT(rule(r, "/etc/timezone"), Catch::StartsWith("host state: time zone"));
    CHECK_THAT(rule(r, "/etc/machine-id"), Catch::StartsWith("host state: machine id"));
    CHECK_THAT(rule(r, "/var/lib/dbus/machine-id"), Catch::StartsWith("host state: machine id"));
    CHECK_THAT(rule(r, "/etc/mtab"), Catch::StartsWith("host state: mount table"));
    CHECK_THAT(rule(r, "/etc/ssl/certs/ca-certificates.crt"), Catch::StartsWith("host state: CA trust store"));
    CHECK_THAT(rule(r, "/etc/ssl/certs/4042bcee.0"), Catch::StartsWith("host state: CA trust store"));
    // Neighbours are the app's: a library's configuration, the CA bundle's source data.
    CHECK(rule(r, "/etc/passwd.d/x") == "kept");
    CHECK(rule(r, "/etc/ssl/openssl.cnf") == "kept");
    CHECK(rule(r, "/usr/share/zoneinfo/Asia/Tokyo") == "kept");
  }
  m.include = {"/etc/hosts"};  // an explicit include still packs it
  CHECK(rule(NoiseRules(CaptureKind::Trace, kUser, "/", m), "/etc/hosts") == "kept");
}

TEST_CASE("noise rules: install capture keeps the user's home, drops package-manager state") {
  Manifest m;
  NoiseRules r(CaptureKind::Install, kUser, "/home/u/src/tool", m);
  CHECK(rule(r, "/home/u/.local/bin/tool") == "kept");
  CHECK(rule(r, "/usr/local/bin/tool") == "kept");
  CHECK_THAT(rule(r, "/home/u/src/tool/tool.o"), Catch::StartsWith("the working directory"));
  CHECK_THAT(rule(r, "/var/lib/dpkg/status"), Catch::StartsWith("package manager state"));
  CHECK_THAT(rule(r, "/usr/lib/python3/dist-packages/x/__pycache__/y.pyc"), Catch::StartsWith("package manager state"));
  CHECK_THAT(rule(r, "/home/u/.gnupg/pubring.kbx"), Catch::StartsWith("secret"));
}

TEST_CASE("the tracer follows forks, vforks and execs and sorts reads from writes") {
  test::TempDir t;
  const std::string out = t / "out.txt";
  TraceResult r = trace_command(
      {"/bin/sh", "-c",
       "cat /etc/hostname >/dev/null; ls /usr/share >/dev/null; echo x > " + out +
           "; /usr/bin/python3 -c 'import subprocess; subprocess.run([\"/usr/bin/stat\", \"/etc/passwd\"], "
           "stdout=subprocess.DEVNULL)'; exit 7"});
  CHECK(r.status == 7);
  CHECK(r.used.at("/bin/sh") == "exec");
  CHECK(r.used.at("/usr/bin/cat") == "exec");
  CHECK(r.used.at("/etc/hostname") == "open");
  CHECK(r.used.at("/usr/share") == "list");
  CHECK(r.used.at("/usr/bin/stat") == "exec");  // started by python's vfork/posix_spawn
  CHECK(r.used.count("/etc/passwd") == 1);
  CHECK(r.written.count(out) == 1);
  CHECK(r.used.count(out) == 0);
  CHECK(r.processes >= 5);
  CHECK(r.stops > 0);
}

TEST_CASE("the tracer reports a command that cannot start") {
  try {
    trace_command({"/no/such/program"});
    FAIL("traced");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::NotFound);
    CHECK_THAT(e.what(), Catch::Contains("/no/such/program"));
  }
  CHECK_REFUSED(trace_command({}), Exit::Usage, "nothing to trace: give a command after --");
}

TEST_CASE("noise rules: the machine's compiled locales are host state") {
  Manifest m;
  for (CaptureKind kind : {CaptureKind::Trace, CaptureKind::Install}) {
    NoiseRules r(kind, kUser, "/", m);
    CHECK_THAT(rule(r, "/usr/lib/locale/locale-archive"), Catch::StartsWith("host state: the machine's compiled locales"));
    CHECK(rule(r, "/usr/lib/locale/C.utf8/LC_CTYPE") == "kept");
  }
}

TEST_CASE("a fresh profile points HOME and the XDG base directories into it, and keeps the session") {
  const std::vector<std::string> host{"HOME=/home/u", "XDG_CONFIG_HOME=/home/u/.config", "XDG_RUNTIME_DIR=/run/user/1000",
                                      "LANG=en_US.UTF-8", "PATH=/usr/bin", "DISPLAY=:0", "XAUTHORITY=/run/user/1000/gdm/Xauthority"};
  std::vector<std::string> env = profile_environment(host, "/tmp/appv-trace-x/home");
  std::sort(env.begin(), env.end());
  CHECK(env == std::vector<std::string>{"DISPLAY=:0", "HOME=/tmp/appv-trace-x/home", "LANG=en_US.UTF-8", "PATH=/usr/bin",
                                        "XAUTHORITY=/run/user/1000/gdm/Xauthority",
                                        "XDG_CACHE_HOME=/tmp/appv-trace-x/home/.cache",
                                        "XDG_CONFIG_HOME=/tmp/appv-trace-x/home/.config",
                                        "XDG_DATA_HOME=/tmp/appv-trace-x/home/.local/share",
                                        "XDG_RUNTIME_DIR=/run/user/1000",
                                        "XDG_STATE_HOME=/tmp/appv-trace-x/home/.local/state"});
  // The display's cookie stays the session's: where X11 clients looked without XAUTHORITY.
  env = profile_environment({"HOME=/home/u", "DISPLAY=:0"}, "/tmp/p/home");
  CHECK(std::count(env.begin(), env.end(), "XAUTHORITY=/home/u/.Xauthority") == 1);
  env = profile_environment({"HOME=/home/u", "XAUTHORITY=/run/user/1000/xauth"}, "/tmp/p/home");
  CHECK(std::count(env.begin(), env.end(), "XAUTHORITY=/run/user/1000/xauth") == 1);
  CHECK(std::count_if(env.begin(), env.end(), [](const std::string& e) { return e.rfind("XAUTHORITY=", 0) == 0; }) == 1);
}

TEST_CASE("a fresh profile is an empty HOME, removed with what the run wrote") {
  std::string dir;
  {
    FreshProfile p;
    dir = p.dir();
    CHECK(p.home() == dir + "/home");
    CHECK(test::list_tree(dir) == std::vector<std::string>{"home"});
    test::write_file(p.home() + "/.config/app/settings.ini", "first run\n");
  }
  CHECK_FALSE(test::exists(dir));
}

TEST_CASE("the tracer runs the command with the environment it is given") {
  test::TempDir t;
  const std::string out = t / "home.txt";
  ::setenv("APPV_TEST_CALLERS_OWN", "x", 1);  // the caller's, not given: the command must not see it
  TraceResult r = trace_command({"/bin/sh", "-c", "printf %s \"$HOME\" > " + out + "; test -z \"$APPV_TEST_CALLERS_OWN\""},
                                std::vector<std::string>{"HOME=/fresh/home", "PATH=/usr/bin:/bin"});
  ::unsetenv("APPV_TEST_CALLERS_OWN");
  CHECK(r.status == 0);
  CHECK(test::read_file(out) == "/fresh/home");
}

