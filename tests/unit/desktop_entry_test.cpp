// Desktop entries: Exec lines a launcher splits back into the same arguments, escaped
// string values, and the keys appv writes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "desktop/desktop_entry.h"
#include "base/error.h"

using namespace appv;

namespace {

// An independent reading of an Exec value, as the Desktop Entry Specification tells
// a launcher to do it: undo the string escapes, then split into arguments honouring
// double quotes and backslashes, and report field codes separately.
std::vector<std::string> parse_exec(const std::string& value, std::vector<std::string>* field_codes) {
  std::string unescaped;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      char n = value[++i];
      unescaped += n == 's' ? ' ' : n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
    } else {
      unescaped += value[i];
    }
  }
  std::vector<std::string> args;
  std::string cur;
  bool in_arg = false, quoted = false;
  for (size_t i = 0; i < unescaped.size(); ++i) {
    char c = unescaped[i];
    if (quoted) {
      // Launchers (GLib's among them) expand % codes inside quoted arguments too.
      if (c == '\\' && i + 1 < unescaped.size()) cur += unescaped[++i];
      else if (c == '"') quoted = false;
      else if (c == '%' && i + 1 < unescaped.size()) {
        char code = unescaped[++i];
        if (code == '%') cur += '%';
        else field_codes->push_back(std::string("%") + code);
      } else cur += c;
    } else if (c == '"') {
      quoted = in_arg = true;
    } else if (c == ' ') {
      if (in_arg) args.push_back(cur);
      cur.clear();
      in_arg = false;
    } else if (c == '%' && i + 1 < unescaped.size()) {
      char code = unescaped[++i];
      if (code == '%') {
        cur += '%';
        in_arg = true;
      } else {
        field_codes->push_back(std::string("%") + code);
      }
    } else {
      cur += c;
      in_arg = true;
    }
  }
  if (in_arg) args.push_back(cur);
  return args;
}

}  // namespace

TEST_CASE("Exec lines survive hostile file names unchanged, with no extra field codes") {
  const std::vector<std::vector<std::string>> cases = {
      {"/home/u/apps/jq.appv", "--appv-entry", "jq"},
      {"/home/my user/Apps & Tools/jq.appv", "--appv-entry", "jq"},
      {"/tmp/100%/%f %u %F @@ @@u/a.appv"},
      {"/tmp/quote\"back\\slash`tick$dollar'single.appv"},
      {"/tmp/semi;colon|pipe<lt>gt(paren)*star?q#hash~tilde.appv"},
      {"/tmp/=equals.appv", ""},
  };
  for (const auto& argv : cases) {
    std::string line = exec_line(argv, "%F");
    INFO(line);
    std::vector<std::string> codes;
    CHECK(parse_exec(line, &codes) == argv);
    CHECK(codes == std::vector<std::string>{"%F"});
  }
}

TEST_CASE("control characters cannot reach an Exec line") {
  for (const char* bad : {"/tmp/new\nline.appv", "/tmp/tab\t.appv", "/tmp/del\x7f.appv"}) {
    const std::string arg = bad;
    INFO(arg);
    try {
      exec_line({"/usr/bin/appv", "run", arg}, "");
      FAIL("an Exec line was made");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::Usage);
      CHECK(std::string(e.what()) == "'" + arg + "' cannot appear in a desktop entry's Exec line");
    }
  }
}

TEST_CASE("string values are escaped") {
  CHECK(desktop_escape("a\\b\nc") == "a\\\\b\\nc");
  CHECK(desktop_escape(" lead") == "\\slead");
}

TEST_CASE("a desktop entry carries name, icon, categories, MIME types, the command and the window class") {
  Manifest m;
  m.id = "org.example.viewer";
  m.name = "viewer";
  m.version = "2";
  m.default_entry = "viewer";
  m.entries["viewer"] = {"/usr/bin/viewer", {}};
  m.desktop = Desktop{"Viewer", "Shows things", "viewer", {"Graphics", "Viewer"}, {"image/png"}, false};
  const std::vector<DesktopEntrySpec> specs = desktop_entries(m);
  REQUIRE(specs.size() == 1);
  std::string text = make_desktop_entry(m, specs[0], {{"/p/viewer.appv", "--appv-entry", "viewer"}, "org.example.viewer"});
  CHECK(text ==
        "[Desktop Entry]\nType=Application\nVersion=1.4\nName=Viewer\nComment=Shows things\nIcon=org.example.viewer\n"
        "Exec=/p/viewer.appv --appv-entry viewer %F\nTerminal=false\nCategories=Graphics;Viewer;\nMimeType=image/png;\n"
        "StartupWMClass=viewer\nX-Appv-Id=org.example.viewer\nX-Appv-Version=2\nX-Appv-Entry=viewer\n");
  CHECK(specs[0].file_id == "org.example.viewer.desktop");
}
