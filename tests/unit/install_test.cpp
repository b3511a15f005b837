// appv install, rollback and uninstall: the previous version kept for rollback, a
// failed update undone, nothing left behind, and warnings reported, never printed.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/reporter.h"
#include "desktop/install.h"
#include "vfs/package.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using appv::test::RecordingReporter;
using appv::test::TempDir;
using appv::test::Thrown;
using appv::test::thrown_by;

namespace {

// A manifest with one entry point, /usr/bin/probe, and (`desktop`) a menu entry named
// Probe.
std::string probe_manifest(const std::string& id, const std::string& version = "1", bool desktop = true) {
  std::string m = "id = \"" + id + "\"\nversion = \"" + version + "\"\n[entry.probe]\npath = \"/usr/bin/probe\"\n";
  return desktop ? m + "[desktop]\nname = \"Probe\"\n" : m;
}

}  // namespace

TEST_CASE("an install keeps the version it replaces; rollback swaps them") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", ""};
  Reporter& silent = silent_reporter();
  auto manifest = [](const char* version) { return probe_manifest("org.example.test", version, false); };
  test::write_package_file(dir / "v1.appv", test::base_entries(manifest("1")), manifest("1"));
  test::write_package_file(dir / "v2.appv", test::base_entries(manifest("2")), manifest("2"));
  install_package(dir / "v1.appv", roots, "/usr/bin/appv", silent, {"r.example.com/a:1", "sha256:1"});
  InstalledApp two = install_package(dir / "v2.appv", roots, "/usr/bin/appv", silent, {"r.example.com/a:2", "sha256:2"});
  CHECK(two.previous_version == "1");
  CHECK(two.origin == "r.example.com/a:2");
  CHECK(test::read_file(roots.appv + "/packages/org.example.test.previous.appv") == test::read_file(dir / "v1.appv"));

  InstalledApp back = rollback_package("org.example.test", roots, "/usr/bin/appv", silent);
  CHECK(back.version == "1");
  CHECK(back.origin == "r.example.com/a:1");
  CHECK(back.digest == "sha256:1");
  CHECK(back.previous_version == "2");
  CHECK(test::read_file(back.package) == test::read_file(dir / "v1.appv"));
  CHECK(rollback_package("org.example.test", roots, "/usr/bin/appv", silent).version == "2");

  // An update that fails half-way (its icon is not an image) brings back the version
  // it was replacing, menu entry included.
  auto with_version = [&](const std::string& v, const std::string& extra) { return probe_manifest("org.example.test", v) + extra; };
  auto entries_with_icon = [&](const std::string& text, const std::string& icon_bytes) {
    std::vector<test::RawEntry> e = test::base_entries(text);
    e.push_back({"root/usr", '5', 0755, "", "", -1});
    e.push_back({"root/usr/icon.png", '0', 0644, icon_bytes, "", -1});
    return e;
  };
  const std::string g1 = with_version("10", "");
  const std::string g2 = with_version("11", "icon = \"/usr/icon.png\"\n");
  test::write_package_file(dir / "g1.appv", test::base_entries(g1), g1);
  test::write_package_file(dir / "g2.appv", entries_with_icon(g2, "not an image"), g2);
  install_package(dir / "g1.appv", roots, "/usr/bin/appv", silent, {"r.example.com/a:10", "sha256:10"});
  const std::string entry = roots.data + "/applications/org.example.test.desktop";
  REQUIRE(test::exists(entry));
  setenv("XDG_CACHE_HOME", (dir / "cache").c_str(), 1);
  Thrown bad_icon = thrown_by([&] { install_package(dir / "g2.appv", roots, "/usr/bin/appv", silent); });
  CHECK(bad_icon.code == Exit::BadInput);
  CHECK(bad_icon.message == "icon '/usr/icon.png' is not a PNG, SVG or XPM image");
  std::optional<InstalledApp> kept = find_installed("org.example.test", roots);
  REQUIRE(kept);
  CHECK(kept->version == "10");
  CHECK(kept->origin == "r.example.com/a:10");
  CHECK(test::read_file(kept->package) == test::read_file(dir / "g1.appv"));
  CHECK(test::exists(entry));

  // Nothing of the app is left after uninstalling, the kept version included.
  uninstall_package("org.example.test", roots, silent);
  CHECK_FALSE(test::exists(roots.appv));
  Thrown gone = thrown_by([&] { rollback_package("org.example.test", roots, "/usr/bin/appv", silent); });
  CHECK(gone.code == Exit::Usage);
  CHECK(gone.message == "'org.example.test' is not installed (see appv list)");
  install_package(dir / "v1.appv", roots, "/usr/bin/appv", silent);
  Thrown first = thrown_by([&] { rollback_package("org.example.test", roots, "/usr/bin/appv", silent); });
  CHECK(first.code == Exit::Usage);
  CHECK(first.message == "'org.example.test' has no previous version to roll back to");
}

TEST_CASE("installed twice, then uninstalled: the directories the first install made go too") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", ""};
  const std::string m = probe_manifest("org.example.twice");
  test::write_package_file(dir / "p.appv", test::base_entries(m), m);
  install_package(dir / "p.appv", roots, "/usr/bin/appv", silent_reporter());
  REQUIRE(test::exists(roots.data + "/applications/org.example.twice.desktop"));
  // The second install replaces the first, whose directories still hold the shared
  // application/x-appv handler: they outlive it, and are still appv's to remove.
  install_package(dir / "p.appv", roots, "/usr/bin/appv", silent_reporter());
  uninstall_package("org.example.twice", roots, silent_reporter());
  CHECK(test::list_tree(dir.path()) == std::vector<std::string>{"p.appv"});
}

TEST_CASE("two apps uninstalled in the order they were installed leave no directory behind") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", ""};
  for (const char* id : {"a", "b"}) {
    const std::string m = probe_manifest(std::string("org.example.") + id);
    test::write_package_file(dir / (std::string(id) + ".appv"), test::base_entries(m), m);
    install_package(dir / (std::string(id) + ".appv"), roots, "/usr/bin/appv", silent_reporter());
  }
  // The first made data/applications; the second's entry keeps it when the first goes.
  uninstall_package("org.example.a", roots, silent_reporter());
  REQUIRE(test::exists(roots.data + "/applications/org.example.b.desktop"));
  uninstall_package("org.example.b", roots, silent_reporter());
  CHECK(test::list_tree(dir.path()) == std::vector<std::string>{"a.appv", "b.appv"});
}

TEST_CASE("a missing desktop database tool is a warning to the reporter; the install stands") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", ""};
  const std::string m = probe_manifest("org.example.test");
  test::write_package_file(dir / "p.appv", test::base_entries(m), m);
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  setenv("PATH", (dir / "no-tools").c_str(), 1);
  RecordingReporter reporter;
  std::optional<InstalledApp> app;
  CHECK_NOTHROW(app = install_package(dir / "p.appv", roots, "/usr/bin/appv", reporter));
  const std::vector<std::string> expected = {"update-mime-database not found; desktop caches not refreshed",
                                             "update-desktop-database not found; desktop caches not refreshed"};
  CHECK(reporter.warnings == expected);
  reporter.warnings.clear();
  CHECK_NOTHROW(uninstall_package("org.example.test", roots, reporter));
  setenv("PATH", saved.c_str(), 1);
  CHECK(app);
  CHECK_FALSE(reporter.warnings.empty());
  CHECK_FALSE(test::exists(roots.appv));
}

// A cache entry is trusted once published, so install reads the icon out of it as if
// it were hostile: the links of a tree planted there (or extracted by an older appv)
// resolve inside the package's root, never to the host's files.
TEST_CASE("install reads the icon inside the package's tree, whatever links it finds there") {
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", ""};
  setenv("XDG_CACHE_HOME", (dir / "cache").c_str(), 1);
  const std::string m = probe_manifest("org.example.icon") + "icon = \"/usr/share/icons/probe.png\"\n";
  std::vector<test::RawEntry> e = test::base_entries(m);
  e.push_back({"root/usr", '5', 0755, "", "", -1});
  e.push_back({"root/usr/share", '5', 0755, "", "", -1});
  e.push_back({"root/usr/share/icons", '5', 0755, "", "", -1});
  e.push_back({"root/usr/share/icons/probe.png", '0', 0644, "placeholder", "", -1});
  test::write_package_file(dir / "p.appv", e, m);
  // A square 1 px PNG header outside the package: what an escaping link would reach.
  const std::string png = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01", 24) + "SECRET";
  test::write_file(dir / "secret.png", png);
  const std::string digest = Package::open(dir / "p.appv").digest();
  const std::string root = dir / "cache/appv/" + digest + "/root";
  const std::string icons = root + "/usr/share/icons";
  REQUIRE(std::system(("mkdir -p '" + icons + "' '" + root + "/a'").c_str()) == 0);

  SECTION("a chain of links each lexically inside") {
    REQUIRE(::symlink("..", (root + "/a/up").c_str()) == 0);
    REQUIRE(::symlink("up/..", (root + "/a/e1").c_str()) == 0);
    std::string climb = "../../../a/e1";
    for (long i = 0; i < std::count(dir.path().begin(), dir.path().end(), '/') + 4; ++i) climb += "/..";
    REQUIRE(::symlink((climb + dir.path() + "/secret.png").c_str(), (icons + "/probe.png").c_str()) == 0);
  }
  SECTION("an absolute link") {
    REQUIRE(::symlink((dir / "secret.png").c_str(), (icons + "/probe.png").c_str()) == 0);
  }
  SECTION("a link to a directory on the way") {
    REQUIRE(::rmdir(icons.c_str()) == 0);
    REQUIRE(::symlink(dir.path().c_str(), icons.c_str()) == 0);
    REQUIRE(::rename((dir / "secret.png").c_str(), (dir / "probe.png").c_str()) == 0);
  }
  Thrown t = thrown_by([&] { install_package(dir / "p.appv", roots, "/usr/bin/appv", silent_reporter()); });
  CHECK(t.code == Exit::BadInput);
  CHECK_THAT(t.message, Catch::Contains("icon '/usr/share/icons/probe.png': not readable inside the package"));
  CHECK_FALSE(test::exists(roots.data + "/icons"));
  CHECK_FALSE(find_installed("org.example.icon", roots));
}

TEST_CASE("uninstall removes nothing a record names outside appv's install directories") {
  // A record someone else wrote (root given a user's HOME, a directory swapped after
  // the owner check) is not trusted: a path outside the roots refuses the whole record.
  TempDir dir;
  InstallRoots roots{dir / "data", dir / "appv", dir / "bin"};
  test::write_file(dir / "precious", "keep");
  for (const std::string& line : {"file " + dir / "precious", "file " + dir / "data/../precious", "package " + dir / "precious"}) {
    REQUIRE(::system(("mkdir -p '" + dir / "appv/installed'").c_str()) == 0);
    test::write_file(dir / "appv/installed/org.x.forged.record",
                     "id org.x.forged\nversion 1\npackage " + dir / "appv/packages/org.x.forged.appv\n" + line + "\n");
    Thrown refused = thrown_by([&] { uninstall_package("org.x.forged", roots, silent_reporter()); });
    CHECK(refused.code == Exit::BadInput);
    CHECK(refused.message.find("outside appv's install directories; nothing was removed") != std::string::npos);
    CHECK(test::read_file(dir / "precious") == "keep");
  }
}
