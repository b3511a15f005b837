#include <catch2/catch.hpp>

#include "base/error.h"
#include "manifests/manifest.h"
#include "tests/unit/support/manifest_error.h"

using namespace appv;
using appv::test::manifest_error;

namespace {

const char* kFull = R"(id = "org.example.tool"
name = "Tool"
version = "2.1"
default_entry = "tool"

[entry.tool]
path = "/usr/bin/tool"
args = ["--quiet"]

[entry.helper]
path = "/usr/lib/tool/helper"

[files]
include = ["/usr/share/tool/**", "/etc/tool.conf"]
exclude = ["/**/__pycache__"]

[isolation]
"/usr" = "full"
"/home" = "merged"

[env]
set = { LANG = "C.UTF-8" }
prepend = { PATH = "/opt/tool/bin" }
unset = ["LD_PRELOAD"]

[desktop]
name = "Tool"
categories = ["Utility"]
mime_types = ["text/x-tool"]
terminal = true
)";

const char* kMinimal = "id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\n";

}  // namespace

TEST_CASE("a complete manifest parses into every field") {
  Manifest m = parse_manifest(kFull, "m.toml");
  CHECK(m.id == "org.example.tool");
  CHECK(m.name == "Tool");
  CHECK(m.version == "2.1");
  CHECK(m.default_entry == "tool");
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries.at("tool").path == "/usr/bin/tool");
  CHECK(m.entries.at("tool").args == std::vector<std::string>{"--quiet"});
  CHECK(m.include == std::vector<std::string>{"/usr/share/tool/**", "/etc/tool.conf"});
  CHECK(m.exclude == std::vector<std::string>{"/**/__pycache__"});
  CHECK(m.isolation.at("/usr") == Isolation::Full);
  CHECK(m.isolation.at("/home") == Isolation::Merged);
  CHECK(m.env.set.at("LANG") == "C.UTF-8");
  CHECK(m.env.prepend.at("PATH") == "/opt/tool/bin");
  CHECK(m.env.unset == std::vector<std::string>{"LD_PRELOAD"});
  REQUIRE(m.desktop);
  CHECK(m.desktop->terminal);
  CHECK(m.desktop->mime_types == std::vector<std::string>{"text/x-tool"});
}

TEST_CASE("a single entry point is the default; name defaults to id") {
  Manifest m = parse_manifest(kMinimal, "m.toml");
  CHECK(m.default_entry == "a");
  CHECK(m.name == "a");
}

TEST_CASE("writing then parsing a manifest gives the same manifest and the same text") {
  Manifest m = parse_manifest(kFull, "m.toml");
  std::string text = write_manifest(m);
  Manifest again = parse_manifest(text, "written.toml");
  CHECK(write_manifest(again) == text);
  CHECK(again.entries.at("tool").args == m.entries.at("tool").args);
  CHECK(again.isolation == m.isolation);
  CHECK(again.env.prepend == m.env.prepend);
  CHECK(again.desktop->categories == m.desktop->categories);
}

TEST_CASE("unknown keys are errors with file:line:col") {
  CHECK(manifest_error(std::string("colour = \"red\"\n") + kMinimal).find("m.toml:1:1: unknown key 'colour'") == 0);
  CHECK(manifest_error(std::string(kMinimal) + "colour = \"red\"\n").find("m.toml:5:1: unknown key 'entry.a.colour'") == 0);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\nargz = []\n").find("m.toml:5:1: unknown key 'entry.a.argz'") == 0);
  CHECK(manifest_error(std::string(kMinimal) + "[desktop]\nname = \"x\"\nicons = \"y\"\n").find("unknown key 'desktop.icons'") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[files]\nincludes = []\n").find("unknown key 'files.includes'") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[env]\nexport = {}\n").find("unknown key 'env.export'") != std::string::npos);
}

TEST_CASE("an unknown key names the closest key of its table") {
  CHECK(manifest_error("id = \"a\"\nverison = \"1\"\n[entry.a]\npath = \"/bin/a\"\n") ==
        "m.toml:2:1: unknown key 'verison' (did you mean 'version'?)");
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\nargz = []\n") ==
        "m.toml:5:1: unknown key 'entry.a.argz' (did you mean 'args'?)");
  CHECK(manifest_error(std::string(kMinimal) + "[desktop]\nname = \"x\"\nicons = \"y\"\n").find("(did you mean 'icon'?)") !=
        std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[files]\nincludes = []\n").find("(did you mean 'include'?)") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[env]\nprepnd = {}\n").find("(did you mean 'prepend'?)") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[capture]\nrun = []\n").find("(did you mean 'runs'?)") != std::string::npos);
  // Nothing close: no guess.
  CHECK(manifest_error(std::string("colour = \"red\"\n") + kMinimal) == "m.toml:1:1: unknown key 'colour'");
}

TEST_CASE("wrong types are errors with file:line:col") {
  CHECK(manifest_error("id = 5\n").find("m.toml:1:6: 'id' must be a string, not a integer") == 0);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\nargs = \"-x\"\n").find("m.toml:5:8: 'entry.a.args' must be an array of strings") == 0);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\nargs = [1]\n").find("must be an array of strings") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[desktop]\nname = \"x\"\nterminal = \"yes\"\n").find("'desktop.terminal' must be a boolean") != std::string::npos);
  CHECK(manifest_error("entry = 3\nid = \"a\"\nversion = \"1\"\n").find("must be a table") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[env]\nset = { A = 1 }\n").find("'env.set.A' must be a string") != std::string::npos);
}

TEST_CASE("TOML syntax errors carry the position") {
  std::string e = manifest_error("id = \"a\"\nversion = \n");
  CHECK(e.find("m.toml:2:") == 0);
}

TEST_CASE("invalid values are refused with a reason") {
  CHECK(manifest_error("version = \"1\"\n[entry.a]\npath = \"/bin/a\"\n").find("'id' is required") != std::string::npos);
  CHECK(manifest_error("id = \"a b\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\n").find("may hold only") != std::string::npos);
  CHECK(manifest_error("id = \"../x\"\nversion = \"1\"\n[entry.a]\npath = \"/bin/a\"\n").find("may hold only") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\n[entry.a]\npath = \"/bin/a\"\n").find("'version' is required") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n").find("at least one [entry.NAME]") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\nargs = []\n").find("entry 'a' has no 'path'") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"bin/a\"\n").find("must be absolute and normalised") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/usr/../etc/x\"\n").find("must be absolute and normalised") != std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"1\"\n[entry.a]\npath = \"/a\"\n[entry.b]\npath = \"/b\"\n").find("set 'default_entry'") != std::string::npos);
  CHECK(manifest_error(std::string("default_entry = \"zz\"\n") + kMinimal).find("names no [entry.zz]") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[isolation]\n\"/usr\" = \"sealed\"\n").find("unknown mode 'sealed'") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[isolation]\n\"usr\" = \"full\"\n").find("must be an absolute, normalised path") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[files]\ninclude = [\"usr/lib\"]\n").find("must be an absolute path or glob") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[env]\nset = { \"A-B\" = \"1\" }\n").find("not a valid variable name") != std::string::npos);
}

TEST_CASE("entry() names the entry points a package has when asked for another") {
  Manifest m = parse_manifest(kFull, "m.toml");
  CHECK(m.entry("").path == "/usr/bin/tool");
  CHECK(m.entry("helper").path == "/usr/lib/tool/helper");
  try {
    m.entry("nope");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Usage);
    CHECK(std::string(e.what()).find("(it has: helper, tool)") != std::string::npos);
  }
}

TEST_CASE("loading a missing manifest file is a NoInput error") {
  try {
    load_manifest("/nonexistent/appv/m.toml");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::NoInput);
    CHECK(std::string(e.what()).find("/nonexistent/appv/m.toml") != std::string::npos);
  }
}

TEST_CASE("[capture] holds families and traced runs, and writes them back") {
  const std::string text = std::string(kMinimal) + R"([capture]
allow = ["/opt/build/**"]
runs = [["python3", "app.py"], ["python3", "app.py", "--export", "out file.pdf"]]

[capture.family."the app's plugins"]
when = ["/opt/app/lib/libcore.so*"]
include = ["../plugins", "/opt/app/share/plugins.cache"]
)";
  const Manifest m = parse_manifest(text, "m.toml");
  REQUIRE(m.capture.families.size() == 1);
  const CaptureFamily& f = m.capture.families.at("the app's plugins");
  CHECK(f.when == std::vector<std::string>{"/opt/app/lib/libcore.so*"});
  CHECK(f.include == std::vector<std::string>{"../plugins", "/opt/app/share/plugins.cache"});
  CHECK(m.capture.runs == std::vector<std::vector<std::string>>{{"python3", "app.py"}, {"python3", "app.py", "--export", "out file.pdf"}});
  const Manifest again = parse_manifest(write_manifest(m), "written.toml");
  CHECK(again.capture.runs == m.capture.runs);
  CHECK(again.capture.families.at("the app's plugins").include == f.include);
  CHECK(write_manifest(again) == write_manifest(m));
}

TEST_CASE("[capture] families and runs are checked") {
  const std::string base = std::string(kMinimal) + "[capture.family.x]\n";
  CHECK(manifest_error(base + "when = [\"lib/libx.so\"]\ninclude = [\".\"]\n").find("capture.family.x.when: 'lib/libx.so' must be an absolute glob") != std::string::npos);
  CHECK(manifest_error(base + "when = [\"/opt/x\"]\ninclude = [\"/**/plugins\"]\n").find("would walk the whole file system") != std::string::npos);
  CHECK(manifest_error(base + "when = [\"/opt/x\"]\n").find("capture.family.x needs both 'when' and 'include'") != std::string::npos);
  CHECK(manifest_error(base + "when = [\"/opt/x\"]\ninclude = [\".\"]\nname = \"y\"\n").find("unknown key 'capture.family.x.name'") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[capture]\nruns = [[]]\n").find("capture.runs: a command needs a program") != std::string::npos);
  CHECK(manifest_error(std::string(kMinimal) + "[capture]\nruns = [\"python3 app.py\"]\n").find("must be an array of strings") != std::string::npos);
}

TEST_CASE("a version is one line of text: it is written into install records and lists") {
  // A line break would add lines of its own to an install record ("file /etc/shadow").
  CHECK(manifest_error("id = \"a\"\nversion = \"1\\nfile /etc/shadow\"\n[entry.a]\npath = \"/bin/a\"\n") ==
        "m.toml: version '1\\x0afile /etc/shadow' holds a control character or is not UTF-8");
  CHECK(manifest_error("id = \"a\"\nversion = \"1\\u001b[31m\"\n[entry.a]\npath = \"/bin/a\"\n").find("holds a control character") !=
        std::string::npos);
  CHECK(manifest_error("id = \"a\"\nversion = \"" + std::string(129, '1') + "\"\n[entry.a]\npath = \"/bin/a\"\n") ==
        "m.toml: 'version' is longer than 128 bytes");
  CHECK(parse_manifest("id = \"a\"\nversion = \"2.0 beta (é)\"\n[entry.a]\npath = \"/bin/a\"\n", "m.toml").version == "2.0 beta (é)");
}
