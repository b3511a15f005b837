// The files install writes for menu entries: one desktop entry per entry point that
// asks for one, named after the app id, and the icon files pack recorded, in the
// hicolor theme under the app id.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "desktop/menu_files.h"
#include "tests/unit/support/thrown.h"

using namespace appv;
using appv::test::thrown_by;

namespace {

const std::string kPng48 = std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x30\0\0\0\x30\x08\x06\0\0\0", 29);
const std::string kSvg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";

// The package's files, by virtual path; install reads icons only through this.
struct Package {
  std::map<std::string, std::string> files;
  std::vector<std::string> read;
  ReadIcon reader() {
    return [this](const std::string& path) {
      read.push_back(path);
      return files.at(path);
    };
  }
};

std::vector<std::string> exec(const std::string& entry) { return {"/home/u/apps/x.appv", "--appv-entry", entry}; }

std::map<std::string, std::string> by_path(const std::vector<MenuFile>& files) {
  std::map<std::string, std::string> out;
  for (const MenuFile& f : files) out[f.path] = f.content;
  return out;
}

}  // namespace

TEST_CASE("two entries, one icon in two sizes: two desktop files named after the app id, the icon installed once") {
  Manifest m = parse_manifest(R"(id = "org.x.xterm"
name = "XTerm"
version = "1"
default_entry = "xterm"
[entry.xterm]
path = "/usr/bin/xterm"
[entry.uxterm]
path = "/usr/bin/uxterm"
[desktop]
icon = "xterm"
icon_files = { "48x48" = "/usr/share/icons/hicolor/48x48/apps/xterm.png", scalable = "/usr/share/icons/hicolor/scalable/apps/xterm.svg" }
[entry.uxterm.desktop]
)", "m.toml");
  Package p;
  p.files = {{"/usr/share/icons/hicolor/48x48/apps/xterm.png", kPng48}, {"/usr/share/icons/hicolor/scalable/apps/xterm.svg", kSvg}};
  const std::map<std::string, std::string> files = by_path(menu_files(m, "/d", exec, p.reader()));
  std::vector<std::string> paths;
  for (const auto& [path, _] : files) paths.push_back(path);
  CHECK(paths == std::vector<std::string>{"/d/applications/org.x.xterm.desktop", "/d/applications/org.x.xterm.uxterm.desktop",
                                          "/d/icons/hicolor/48x48/apps/org.x.xterm.png", "/d/icons/hicolor/scalable/apps/org.x.xterm.svg"});
  CHECK(files.at("/d/icons/hicolor/48x48/apps/org.x.xterm.png") == kPng48);
  CHECK(p.read.size() == 2);  // each file read once, for both entries
  const std::string& xterm = files.at("/d/applications/org.x.xterm.desktop");
  CHECK_THAT(xterm, Catch::Contains("\nName=XTerm\n"));
  CHECK_THAT(xterm, Catch::Contains("\nIcon=org.x.xterm\n"));
  CHECK_THAT(xterm, Catch::Contains("\nStartupWMClass=xterm\n"));
  CHECK_THAT(xterm, Catch::Contains("\nExec=/home/u/apps/x.appv --appv-entry xterm\n"));
  const std::string& uxterm = files.at("/d/applications/org.x.xterm.uxterm.desktop");
  CHECK_THAT(uxterm, Catch::Contains("\nName=uxterm\n"));
  CHECK_THAT(uxterm, Catch::Contains("\nIcon=org.x.xterm\n"));
  CHECK_THAT(uxterm, Catch::Contains("\nStartupWMClass=uxterm\n"));
  CHECK_THAT(uxterm, Catch::Contains("\nExec=/home/u/apps/x.appv --appv-entry uxterm\n"));
}

TEST_CASE("packages packed before pack recorded icons: an absolute icon is sized by its content, a name kept") {
  const std::string base = "id = \"org.x.a\"\nversion = \"1\"\n[entry.a]\npath = \"/usr/bin/a\"\n[desktop]\nname = \"A\"\n";
  Package p;
  p.files = {{"/opt/a.png", kPng48}};
  std::map<std::string, std::string> files = by_path(menu_files(parse_manifest(base + "icon = \"/opt/a.png\"\n", "m.toml"), "/d", exec, p.reader()));
  CHECK(files.count("/d/icons/hicolor/48x48/apps/org.x.a.png"));
  CHECK_THAT(files.at("/d/applications/org.x.a.desktop"), Catch::Contains("\nIcon=org.x.a\n"));

  files = by_path(menu_files(parse_manifest(base + "icon = \"utilities-terminal\"\n", "m.toml"), "/d", exec, p.reader()));
  CHECK(files.size() == 1);
  CHECK_THAT(files.at("/d/applications/org.x.a.desktop"), Catch::Contains("\nIcon=utilities-terminal\n"));
}

TEST_CASE("an icon file that is not an image, or too wide, is refused at install too") {
  const std::string base = "id = \"org.x.a\"\nversion = \"1\"\n[entry.a]\npath = \"/usr/bin/a\"\n[desktop]\nname = \"A\"\n";
  Package p;
  p.files = {{"/opt/a.png", "GIF89a"}, {"/opt/wide.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x20", 24)}};
  appv::test::Thrown t = thrown_by([&] { menu_files(parse_manifest(base + "icon = \"/opt/a.png\"\n", "m.toml"), "/d", exec, p.reader()); });
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message == "icon '/opt/a.png' is not a PNG, SVG or XPM image");
  t = thrown_by([&] { menu_files(parse_manifest(base + "icon = \"/opt/wide.png\"\n", "m.toml"), "/d", exec, p.reader()); });
  CHECK(t.message == "icon '/opt/wide.png': a PNG icon must be square and at most 1024 px, this one is 64x32");
}

TEST_CASE("a package packed before pack refused single-word ids gets appv.<id> entries, never shadowing the host's") {
  Manifest m = parse_manifest("id = \"xterm\"\nversion = \"1\"\ndefault_entry = \"xterm\"\n[entry.xterm]\npath = \"/usr/bin/xterm\"\n"
                              "[entry.uxterm]\npath = \"/usr/bin/uxterm\"\n[entry.uxterm.desktop]\n[desktop]\nicon = \"/x.png\"\n",
                              "m.toml");
  Package p;
  p.files = {{"/x.png", kPng48}};
  std::vector<std::string> paths;
  for (const auto& [path, _] : by_path(menu_files(m, "/d", exec, p.reader()))) paths.push_back(path);
  CHECK(paths == std::vector<std::string>{"/d/applications/appv.xterm.desktop", "/d/applications/appv.xterm.uxterm.desktop",
                                          "/d/icons/hicolor/48x48/apps/appv.xterm.png"});
}

TEST_CASE("one large image named at many sizes is refused before install writes the copies") {
  // 20 sizes of one 4 MiB SVG: 80 MiB, over the 64 MiB a package's icons may come to.
  std::string sizes;
  for (int i = 16; i < 16 + 20; ++i) sizes += fmt::format("{}\"{}x{}\" = \"/opt/big.svg\"", sizes.empty() ? "" : ", ", i, i);
  const std::string text = "id = \"org.x.a\"\nversion = \"1\"\n[entry.a]\npath = \"/usr/bin/a\"\n[desktop]\nname = \"A\"\n"
                           "icon = \"a\"\nicon_files = { " + sizes + " }\n";
  Package p;
  p.files = {{"/opt/big.svg", kSvg + std::string(4 << 20, ' ')}};
  appv::test::Thrown t = thrown_by([&] { menu_files(parse_manifest(text, "m.toml"), "/d", exec, p.reader()); });
  CHECK(t.code == Exit::BadInput);
  CHECK(t.message.rfind("the package's icons come to more than 64 MiB (at '/opt/big.svg', size ", 0) == 0);
  CHECK(p.read.size() == 16);  // stopped at the image that went over, not after all of them
}
