// What `appv pack` checks of desktop metadata: icons taken from the package (a theme
// name resolved in its own icon themes, an absolute path), pulled from the packing
// host with a warning when the package has none, refused when missing or not an
// image; desktop file ids.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "manifests/desktop_entries.h"
#include "packager/desktop_check.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using appv::test::TempDir;
using appv::test::thrown_by;
using appv::test::write_file;

namespace {

std::string png(unsigned size) {
  std::string b("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (int i = 0; i < 2; ++i) {
    for (int shift : {24, 16, 8, 0}) b += static_cast<char>((size >> shift) & 0xff);
  }
  return b + std::string("\x08\x06\0\0\0", 5);
}
const std::string kSvg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"48\" height=\"48\"/>\n";
const std::string kXpm = "/* XPM */\nstatic char *tool[] = {\n\"32 32 2 1\",\n";

Manifest manifest(const std::string& desktop) {
  return parse_manifest("id = \"org.example.tool\"\nversion = \"1\"\ndefault_entry = \"tool\"\n[entry.tool]\npath = \"/usr/bin/tool\"\n" + desktop, "m.toml");
}

// A package's files, and a packing host in a scratch directory that holds none of them.
struct Fixture {
  TempDir host;
  FileSet files;
  IconSearch search{host.path(), {}};
  Fixture() {
    files.set_path_map([this](const std::string& path) { return host.path() + path; });
    files.add_generated("/usr/bin/tool", "elf", "entry point");
  }
  std::vector<std::string> check(Manifest& m) { return check_desktop(m, files, search); }
};

}  // namespace

TEST_CASE("a theme name is resolved in the package's own icon themes: hicolor first, every size") {
  Fixture f;
  f.files.add_generated("/usr/share/icons/hicolor/48x48/apps/tool.png", png(48), "include");
  f.files.add_generated("/usr/share/icons/hicolor/scalable/apps/tool.svg", kSvg, "include");
  f.files.add_generated("/usr/share/icons/Adwaita/48x48/apps/tool.png", png(48) + "adwaita", "include");
  f.files.add_generated("/usr/share/icons/Adwaita/256x256/apps/tool.png", png(256), "include");
  f.files.add_generated("/usr/share/icons/hicolor/48x48/apps/toolbox.png", png(48), "include");  // another icon
  f.files.add_generated("/usr/share/icons/hicolor/symbolic/apps/tool-symbolic.svg", kSvg, "include");
  f.files.add_generated("/usr/share/icons/hicolor/256x256/legacy/tool.png", png(256) + "legacy", "include");  // apps first
  f.files.add_generated("/usr/share/icons/Adwaita/32x32/status/tool.png", png(32), "include");  // any context
  f.files.add_generated("/usr/share/pixmaps/tool.xpm", kXpm, "include");  // a theme icon wins
  Manifest m = manifest("[desktop]\nicon = \"tool\"\n");
  CHECK(f.check(m).empty());
  const std::map<std::string, std::string> expected = {{"48x48", "/usr/share/icons/hicolor/48x48/apps/tool.png"},
                                                       {"256x256", "/usr/share/icons/hicolor/256x256/legacy/tool.png"},
                                                       {"32x32", "/usr/share/icons/Adwaita/32x32/status/tool.png"},
                                                       {"scalable", "/usr/share/icons/hicolor/scalable/apps/tool.svg"}};
  CHECK(m.desktop->icon_files == expected);
  // Recorded in the manifest the package stores.
  CHECK(parse_manifest(write_manifest(m), "stored.toml").desktop->icon_files == expected);
}

TEST_CASE("a theme name found only in the package's pixmaps; an absolute path; both by content") {
  Fixture f;
  f.files.add_generated("/usr/share/pixmaps/tool.xpm", kXpm, "include");
  f.files.add_generated("/opt/tool/logo.svg", kSvg, "include");
  f.files.add_generated("/opt/tool/icon", png(64), "include");  // no extension: its bytes tell
  Manifest m = manifest("[desktop]\nicon = \"tool\"\n[entry.other]\npath = \"/usr/bin/tool\"\n[entry.other.desktop]\n"
                        "icon = \"/opt/tool/logo.svg\"\n[entry.third]\npath = \"/usr/bin/tool\"\n[entry.third.desktop]\n"
                        "icon = \"/opt/tool/icon\"\n");
  CHECK(f.check(m).empty());
  CHECK(m.desktop->icon_files == std::map<std::string, std::string>{{"32x32", "/usr/share/pixmaps/tool.xpm"}});
  CHECK(m.entries.at("other").desktop->icon_files == std::map<std::string, std::string>{{"scalable", "/opt/tool/logo.svg"}});
  CHECK(m.entries.at("third").desktop->icon_files == std::map<std::string, std::string>{{"64x64", "/opt/tool/icon"}});
}

TEST_CASE("a theme icon that is a link in the package is followed inside the package") {
  Fixture f;
  const std::string& h = f.host.path();
  write_file(h + "/usr/share/pixmaps/tool.png", png(48));
  write_file(h + "/usr/share/icons/hicolor/48x48/apps/.keep", "");
  REQUIRE(::symlink("../../../../pixmaps/tool.png", (h + "/usr/share/icons/hicolor/48x48/apps/tool.png").c_str()) == 0);
  REQUIRE(f.files.add("/usr/share/icons/hicolor/48x48/apps/tool.png", "include") == "/usr/share/pixmaps/tool.png");
  Manifest m = manifest("[desktop]\nicon = \"tool\"\n");
  CHECK(f.check(m).empty());
  CHECK(m.desktop->icon_files == std::map<std::string, std::string>{{"48x48", "/usr/share/icons/hicolor/48x48/apps/tool.png"}});
}

TEST_CASE("a theme name the package lacks is taken from the packing host, with a warning naming the files") {
  Fixture f;
  const std::string& h = f.host.path();
  write_file(h + "/usr/share/icons/hicolor/16x16/apps/tool.png", png(16));
  write_file(h + "/usr/share/icons/hicolor/48x48/apps/tool.png", png(48));
  write_file(h + "/usr/share/icons/hicolor/48x48/apps/other.png", png(48));
  write_file(h + "/usr/share/icons/hicolor/scalable/apps/tool.svgz", "\x1f\x8b");  // not a format desktops load
  write_file(h + "/usr/share/pixmaps/tool.xpm", kXpm);  // themes first
  Manifest m = manifest("[desktop]\nicon = \"tool\"\n");
  const std::vector<std::string> warnings = f.check(m);
  CHECK(warnings == std::vector<std::string>{
                        "desktop.icon 'tool': the package had no such icon; added 2 file(s) from this host "
                        "(/usr/share/icons/hicolor/16x16/apps/tool.png, /usr/share/icons/hicolor/48x48/apps/tool.png): "
                        "list them in [files] include to pack them knowingly"});
  CHECK(f.files.contains("/usr/share/icons/hicolor/16x16/apps/tool.png"));
  CHECK_FALSE(f.files.contains("/usr/share/icons/hicolor/48x48/apps/other.png"));
  CHECK_FALSE(f.files.contains("/usr/share/pixmaps/tool.xpm"));
  CHECK(m.desktop->icon_files.size() == 2);

  SECTION("but never what files.exclude leaves out") {
    Fixture g;
    write_file(g.host.path() + "/usr/share/icons/hicolor/48x48/apps/tool.png", png(48));
    g.search.excluded = [](const std::string& path) { return path.find("/icons/") != std::string::npos; };
    Manifest again = manifest("[desktop]\nicon = \"tool\"\n");
    CHECK(thrown_by([&] { g.check(again); }).code == Exit::BadInput);
    CHECK_FALSE(g.files.contains("/usr/share/icons/hicolor/48x48/apps/tool.png"));
  }
}

TEST_CASE("pack refuses an icon it cannot take from the package, naming the key, the value and why") {
  Fixture f;
  const std::string& h = f.host.path();
  write_file(h + "/opt/host-only.png", png(48));  // on the host, not in the package
  f.files.add_generated("/opt/tool/photo.png", "\xff\xd8\xff\xe0\0\x10JFIF", "include");
  f.files.add_generated("/opt/tool/wide.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x20", 24), "include");
  f.files.add_generated("/opt/tool/drawing.png", kSvg, "include");
  f.files.add_generated("/usr/share/icons/hicolor/48x48/apps/broken.png", "not an image", "include");
  f.files.add_generated("/opt/tool/dir/file", "x", "include");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"icon = \"/opt/host-only.png\"", "desktop.icon '/opt/host-only.png': /opt/host-only.png is not in the package (add it to [files] include)"},
      {"icon = \"/opt/tool/photo.png\"", "desktop.icon '/opt/tool/photo.png': /opt/tool/photo.png is not a PNG, SVG or XPM image (the formats desktops load)"},
      {"icon = \"/opt/tool/drawing.png\"", "desktop.icon '/opt/tool/drawing.png': /opt/tool/drawing.png holds SVG data, not the PNG its name says"},
      {"icon = \"/opt/tool/wide.png\"", "desktop.icon '/opt/tool/wide.png': a PNG icon must be square and at most 1024 px, this one is 64x32"},
      {"icon = \"/opt/tool/dir\"", "desktop.icon '/opt/tool/dir': /opt/tool/dir is not a regular file in the package"},
      {"icon = \"/opt/tool/../tool/photo.png\"", "desktop.icon '/opt/tool/../tool/photo.png': an icon is a theme name (\"xterm\") or an absolute, normalised path in the package"},
      {"icon = \"no-such-icon\"", "desktop.icon 'no-such-icon': no such icon in the package or on this host (looked for usr/share/icons/THEME/SIZE/CONTEXT/no-such-icon.png, .svg, .xpm and usr/share/pixmaps/no-such-icon.*)"},
      {"icon = \"tool.png\"", "desktop.icon 'tool.png': an icon theme name has no extension: write 'tool', or an absolute path in the package"},
      {"icon = \"broken\"", "desktop.icon 'broken': /usr/share/icons/hicolor/48x48/apps/broken.png is not a PNG, SVG or XPM image (the formats desktops load)"},
      {"mime_types = [\"text\"]", "desktop.mime_types 'text': is not a MIME type (type/subtype)"},
  };
  for (const auto& [desktop, message] : cases) {
    INFO(desktop);
    Manifest m = manifest("[desktop]\n" + desktop + "\n");
    appv::test::Thrown t = thrown_by([&] { f.check(m); });
    CHECK(t.code == Exit::BadInput);
    CHECK(t.message == message);
  }
  // An entry's own table is named as such.
  Manifest m = manifest("[entry.viewer]\npath = \"/usr/bin/tool\"\n[entry.viewer.desktop]\nicon = \"/opt/tool/photo.png\"\n");
  CHECK_THAT(thrown_by([&] { f.check(m); }).message, Catch::StartsWith("entry.viewer.desktop.icon '/opt/tool/photo.png': "));
  Manifest unnamed = manifest("[entry.viewer]\npath = \"/usr/bin/tool\"\n[entry.viewer.desktop]\nname = \"\"\n");
  CHECK(thrown_by([&] { f.check(unnamed); }).message == "entry.viewer.desktop.name '': a menu entry needs a name");
}

TEST_CASE("menu entries need an app id that can name a desktop file") {
  Fixture f;
  Manifest m = parse_manifest("id = \"tool\"\nversion = \"1\"\n[entry.tool]\npath = \"/usr/bin/tool\"\n[desktop]\n", "m.toml");
  appv::test::Thrown t = thrown_by([&] { f.check(m); });
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message == "id 'tool': names the desktop entry tool.desktop, and a desktop file id has a single element; use a "
                     "reverse-DNS id such as org.example.app");
  // Without menu entries any id packs, as before.
  Manifest cli = parse_manifest("id = \"tool\"\nversion = \"1\"\n[entry.tool]\npath = \"/usr/bin/tool\"\n", "m.toml");
  CHECK(f.check(cli).empty());
  Manifest digit = manifest("[entry.2to3]\npath = \"/usr/bin/tool\"\n[entry.2to3.desktop]\n");
  CHECK(thrown_by([&] { f.check(digit); }).message ==
        "entry.2to3 '2to3': names the desktop entry org.example.tool.2to3.desktop, and a desktop file id has an element "
        "starting with a digit ('2to3')");
}
