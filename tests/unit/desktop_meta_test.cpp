// Desktop metadata in the manifest: [desktop] and [entry.NAME.desktop], the menu
// entries they ask for with every default applied, desktop file ids, and what an icon
// file is by its bytes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/error.h"
#include "manifests/desktop_entries.h"
#include "manifests/icon_format.h"
#include "manifests/manifest.h"
#include "tests/unit/support/manifest_error.h"

using namespace appv;
using appv::test::manifest_error;

namespace {

const char* kTwoEntries = R"(id = "org.x.xterm"
name = "XTerm"
version = "1"
default_entry = "xterm"

[entry.xterm]
path = "/usr/bin/xterm"

[entry.uxterm]
path = "/usr/bin/uxterm"

[entry.resize]
path = "/usr/bin/resize"

[desktop]
comment = "Terminal emulator"
icon = "xterm"
categories = ["System", "TerminalEmulator"]
mime_types = ["x-scheme-handler/ssh"]

[entry.uxterm.desktop]
comment = "Terminal emulator, UTF-8"
)";

// A PNG signature and IHDR chunk for a w x h image: what sniffing reads.
std::string png(unsigned w, unsigned h) {
  std::string b("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (unsigned v : {w, h}) {
    for (int shift : {24, 16, 8, 0}) b += static_cast<char>((v >> shift) & 0xff);
  }
  return b + std::string("\x08\x06\0\0\0", 5);
}

}  // namespace

TEST_CASE("the desktop table gives the default entry point a menu entry, an entry's own desktop table another entry point") {
  const Manifest m = parse_manifest(kTwoEntries, "m.toml");
  const std::vector<DesktopEntrySpec> specs = desktop_entries(m);
  REQUIRE(specs.size() == 2);  // resize asked for none
  const DesktopEntrySpec& xterm = specs[0];
  const DesktopEntrySpec& uxterm = specs[1];
  CHECK(xterm.entry == "xterm");
  CHECK(xterm.file_id == "org.x.xterm.desktop");
  CHECK(xterm.desktop.name == "XTerm");  // the manifest's name
  CHECK(xterm.desktop.startup_wm_class == "xterm");  // the program's basename
  CHECK(xterm.desktop.mime_types == std::vector<std::string>{"x-scheme-handler/ssh"});
  CHECK(xterm.icon_name == "org.x.xterm");
  CHECK(xterm.icon_key == "desktop.icon");

  CHECK(uxterm.entry == "uxterm");
  CHECK(uxterm.file_id == "org.x.xterm.uxterm.desktop");
  CHECK(uxterm.desktop.name == "uxterm");  // its own, never "XTerm (uxterm)"
  CHECK(uxterm.desktop.comment == "Terminal emulator, UTF-8");
  CHECK(uxterm.desktop.categories == std::vector<std::string>{"System", "TerminalEmulator"});
  CHECK(uxterm.desktop.icon == "xterm");
  CHECK(uxterm.icon_name == "org.x.xterm");  // the same icon, installed once
  CHECK(uxterm.desktop.mime_types.empty());  // a file type opens with one entry
  CHECK(uxterm.desktop.startup_wm_class == "uxterm");
}

TEST_CASE("an entry's own keys win; an icon of its own gets a name of its own") {
  const Manifest m = parse_manifest(std::string(kTwoEntries) + "name = \"UXTerm\"\nicon = \"/usr/share/pixmaps/uxterm.xpm\"\n"
                                                               "startup_wm_class = \"UXTerm\"\nterminal = true\n",
                                    "m.toml");
  const DesktopEntrySpec uxterm = desktop_entries(m).at(1);
  CHECK(uxterm.desktop.name == "UXTerm");
  CHECK(uxterm.desktop.startup_wm_class == "UXTerm");
  CHECK(uxterm.desktop.terminal);
  CHECK(uxterm.icon_name == "org.x.xterm.uxterm");
  CHECK(uxterm.icon_key == "entry.uxterm.desktop.icon");
}

TEST_CASE("the desktop name and StartupWMClass: explicit values, else the defaults") {
  const std::string base = "id = \"org.x.a\"\nname = \"A tool\"\nversion = \"1\"\n[entry.a]\npath = \"/opt/a/bin/a-gui\"\n";
  CHECK(desktop_entries(parse_manifest(base + "[desktop]\n", "m.toml")).at(0).desktop.name == "A tool");
  CHECK(desktop_entries(parse_manifest(base + "[desktop]\n", "m.toml")).at(0).desktop.startup_wm_class == "a-gui");
  const DesktopEntrySpec named = desktop_entries(parse_manifest(base + "[desktop]\nname = \"A\"\nstartup_wm_class = \"AGui\"\n", "m.toml")).at(0);
  CHECK(named.desktop.name == "A");
  CHECK(named.desktop.startup_wm_class == "AGui");
  CHECK(desktop_entries(parse_manifest(base, "m.toml")).empty());
  // Without [desktop], the default entry's own table is enough.
  CHECK(desktop_entries(parse_manifest(base + "[entry.a.desktop]\n", "m.toml")).at(0).file_id == "org.x.a.desktop");
}

TEST_CASE("desktop tables are written back, icon files included, and read again the same") {
  Manifest m = parse_manifest(kTwoEntries, "m.toml");
  m.desktop->icon_files = {{"48x48", "/usr/share/icons/hicolor/48x48/apps/xterm.png"}, {"scalable", "/usr/share/icons/hicolor/scalable/apps/xterm.svg"}};
  const std::string text = write_manifest(m);
  CHECK_THAT(text, Catch::Contains("[entry.uxterm.desktop]"));
  const Manifest again = parse_manifest(text, "written.toml");
  CHECK(write_manifest(again) == text);
  CHECK(again.desktop->icon_files == m.desktop->icon_files);
  REQUIRE(again.entries.at("uxterm").desktop);
  CHECK(again.entries.at("uxterm").desktop->declared == std::set<std::string>{"comment"});
  CHECK(again.entries.at("uxterm").desktop->comment == "Terminal emulator, UTF-8");
  CHECK_FALSE(again.entries.at("xterm").desktop);
}

TEST_CASE("desktop keys are checked with file:line:col") {
  CHECK(manifest_error(std::string(kTwoEntries) + "icons = \"y\"\n").find("m.toml:23:1: unknown key 'entry.uxterm.desktop.icons' (did you mean 'icon'?)") == 0);
  CHECK(manifest_error(std::string(kTwoEntries) + "startup_wm_class = 3\n").find("'entry.uxterm.desktop.startup_wm_class' must be a string") != std::string::npos);
  CHECK(manifest_error(std::string(kTwoEntries) + "icon_files = { \"../../x\" = \"/a.png\" }\n")
            .find("entry.uxterm.desktop.icon_files: '../../x' is not an icon size directory") != std::string::npos);
  CHECK(manifest_error(std::string(kTwoEntries) + "icon_files = { \"48x48\" = \"a.png\" }\n")
            .find("entry.uxterm.desktop.icon_files.48x48: 'a.png' must be an absolute, normalised path") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/a\"\ndesktop = true\n").find("m.toml:5:11: 'entry.a.desktop' must be a table") == 0);
}

TEST_CASE("desktop file ids follow the D-Bus name rules") {
  CHECK(desktop_file_id_problem("org.x.xterm") == "");
  CHECK(desktop_file_id_problem("org.x.xterm.uxterm") == "");
  CHECK(desktop_file_id_problem("io.github.some_one.Tool-2") == "");
  CHECK(desktop_file_id_problem("xterm") == "has a single element; use a reverse-DNS id such as org.example.app");
  CHECK(desktop_file_id_problem("org..x") == "has an empty element");
  CHECK(desktop_file_id_problem("org.x.") == "has an empty element");
  CHECK(desktop_file_id_problem("org.x.2to3") == "has an element starting with a digit ('2to3')");
  CHECK(desktop_file_id_problem("org.x y") == "has a character other than letters, digits, '_' and '-' in 'x y'");
  CHECK(desktop_file_id_problem("org." + std::string(260, 'a')) == "is longer than 255 characters");
}

TEST_CASE("icon size directories") {
  for (const char* ok : {"16x16", "48x48", "1024x1024", "48x48@2", "scalable"}) CHECK(valid_icon_size_dir(ok));
  for (const char* bad : {"", "48", "48x32", "0x0", "048x048", "2048x2048", "48x48@", "48x48@10", "../48x48", "48x48/..", "symbolic", "x"}) {
    INFO(bad);
    CHECK_FALSE(valid_icon_size_dir(bad));
  }
}

TEST_CASE("icon files are told by their bytes") {
  auto sniffed = [](const std::string& bytes) { return sniff_icon(bytes); };
  REQUIRE(sniffed(png(48, 48)));
  CHECK(sniffed(png(48, 48))->format == IconFormat::Png);
  CHECK(sniffed(png(48, 32))->height == 32);
  const std::string xpm = "/* XPM */\nstatic char *x[] = {\n/* columns rows colors chars-per-pixel */\n\"32 32 100 2 \",\n";
  REQUIRE(sniffed(xpm));
  CHECK(sniffed(xpm)->format == IconFormat::Xpm);
  CHECK(sniffed(xpm)->width == 32);
  for (const std::string& svg : {std::string("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
                                std::string("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg>")}) {
    REQUIRE(sniffed(svg));
    CHECK(sniffed(svg)->format == IconFormat::Svg);
  }
  CHECK_FALSE(sniffed("\xff\xd8\xff\xe0\0\x10JFIF"));          // JPEG
  CHECK_FALSE(sniffed("GIF89a\x30\0\x30\0"));                   // GIF
  CHECK_FALSE(sniffed("\x1f\x8b\x08\0\0\0\0\0\x02\x03"));       // gzip: an .svgz
  CHECK_FALSE(sniffed("<?xml version=\"1.0\"?><html><svg>"));   // XML, but not an SVG document
  CHECK_FALSE(sniffed("/* XPM */\nno values here"));
  CHECK_FALSE(sniffed(png(48, 48).substr(0, 20)));              // cut short
  std::string why;
  CHECK(icon_size_dir({IconFormat::Png, 48, 48}, &why) == "48x48");
  CHECK(icon_size_dir({IconFormat::Svg, 0, 0}, &why) == "scalable");
  CHECK(icon_size_dir({IconFormat::Png, 48, 32}, &why).empty());
  CHECK(why == "a PNG icon must be square and at most 1024 px, this one is 48x32");
  CHECK(icon_size_dir({IconFormat::Xpm, 2048, 2048}, &why).empty());
}
