// File families (packager/families.h): which packed path anchors which rule, what a
// rule brings, and closure capture's warnings, on trees built in a scratch directory.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>

#include "packager/families.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;

namespace {

const FamilyRule& rule_named(const std::string& name) {
  for (const FamilyRule& r : builtin_families()) {
    if (r.name == name) return r;
  }
  FAIL("no built-in family " << name);
  throw;
}

std::vector<std::string> brought(const FileSet& files, const std::string& family) {
  std::vector<std::string> out;
  for (const auto& [path, record] : files.entries()) {
    if (record.reason.rfind("family " + family + " (", 0) == 0) out.push_back(path);
  }
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

const auto kKeepAll = [](const std::string&) { return false; };

}  // namespace

TEST_CASE("families: the anchor is the part of a packed path the rule's glob names") {
  CHECK(family_anchor("/**/lib/python[23].*/encodings", "/usr/lib/python3.11/encodings/utf_8.py") ==
        "/usr/lib/python3.11/encodings");
  CHECK(family_anchor("/**/lib/python[23].*/encodings", "/opt/py/lib/python3.12/encodings") == "/opt/py/lib/python3.12/encodings");
  CHECK(family_anchor("/**/lib/python[23].*/encodings", "/usr/lib/python3.11/json/__init__.py").empty());
  CHECK(family_anchor("/**/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6");
  CHECK(family_anchor("/**/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6.bak").empty());
  CHECK(family_anchor("/lib/terminfo", "/lib/terminfo/x/xterm") == "/lib/terminfo");
}

TEST_CASE("families: the table names the families a user's other locale or terminal needs") {
  CHECK(rule_named("Python's encodings package").include == std::vector<std::string>{"."});
  CHECK(rule_named("the C.UTF-8 locale").closure);
  const FamilyRule& gconv = rule_named("glibc's charset converters for the basic charsets (gconv)");
  CHECK(has(gconv.include, "../gconv/gconv-modules"));
  CHECK(has(gconv.include, "../gconv/UTF-16.so"));
  const FamilyRule& terminfo = rule_named("terminfo for the common terminals");
  for (const char* t : {"/lib/terminfo/x/xterm*", "/lib/terminfo/s/screen*", "/lib/terminfo/t/tmux*", "/lib/terminfo/l/linux",
                        "/lib/terminfo/v/vt100", "/lib/terminfo/d/dumb", "/lib/terminfo/r/rxvt*", "/usr/share/terminfo/x/xterm*"}) {
    CHECK(has(terminfo.include, t));
  }
  for (const char* name : {"gdk-pixbuf's image loaders", "GIO modules", "GTK input methods", "Qt 5 platform plugins"}) {
    CHECK(rule_named(name).trace);
    CHECK_FALSE(rule_named(name).closure);  // closure capture warns instead
  }
  CHECK_FALSE(rule_named("Perl's modules").trace);  // a traced run finds the modules it uses
}

TEST_CASE("families: a traced codec brings the whole encodings package of that interpreter's version") {
  test::TempDir t;
  for (const char* f : {"__init__.py", "utf_8.py", "ascii.py", "latin_1.py", "__pycache__/ascii.cpython-311.pyc"}) {
    test::write_file(t / "usr/lib/python3.11/encodings/" + f, "#\n");
  }
  test::write_file(t / "usr/lib/python3.11/json/__init__.py", "#\n");
  test::write_file(t / "usr/lib/python3.12/encodings/ascii.py", "#\n");
  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  resolver.add_file(t / "usr/lib/python3.11/encodings/utf_8.py", "traced (open)");
  const std::vector<std::string> lines = bring_families(builtin_families(), FamilyUse::Trace, resolver, files, kKeepAll);
  const std::vector<std::string> codecs = brought(files, "Python's encodings package");
  CHECK(has(codecs, t / "usr/lib/python3.11/encodings/ascii.py"));
  CHECK(has(codecs, t / "usr/lib/python3.11/encodings/latin_1.py"));
  CHECK(has(codecs, t / "usr/lib/python3.11/encodings/__pycache__/ascii.cpython-311.pyc"));
  CHECK(files.entries().at(t / "usr/lib/python3.11/encodings/ascii.py").reason ==
        "family Python's encodings package (for " + t / "usr/lib/python3.11/encodings)");
  CHECK(files.entries().at(t / "usr/lib/python3.11/encodings/utf_8.py").reason == "traced (open)");  // the run's own
  CHECK_FALSE(files.contains(t / "usr/lib/python3.11/json/__init__.py"));
  CHECK_FALSE(files.contains(t / "usr/lib/python3.12/encodings/ascii.py"));  // another interpreter's
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "family Python's encodings package (for " + t / "usr/lib/python3.11/encodings): 5 file(s)");
}

TEST_CASE("families: libc brings the gconv basics beside it and C.UTF-8, in trace and closure capture") {
  test::TempDir t;
  const std::string lib = t / "usr/lib/x86_64-linux-gnu";
  test::write_file(lib + "/libc.so.6", "not really\n");
  for (const char* f : {"gconv-modules", "gconv-modules.cache", "gconv-modules.d/gconv-modules-extra.conf", "UTF-16.so",
                        "ISO8859-1.so", "IBM037.so", "BIG5.so"}) {
    test::write_file(lib + "/gconv/" + f, "x\n");
  }
  for (FamilyUse use : {FamilyUse::Trace, FamilyUse::Closure}) {
    FileSet files;
    ClosureResolver resolver(files, SearchConfig::from_host());
    resolver.add_file(lib + "/libc.so.6", "needed by /usr/bin/x");
    bring_families(builtin_families(), use, resolver, files, kKeepAll);
    const std::vector<std::string> gconv = brought(files, "glibc's charset converters for the basic charsets (gconv)");
    CHECK(has(gconv, lib + "/gconv/gconv-modules"));
    CHECK(has(gconv, lib + "/gconv/gconv-modules.cache"));
    CHECK(has(gconv, lib + "/gconv/gconv-modules.d/gconv-modules-extra.conf"));
    CHECK(has(gconv, lib + "/gconv/UTF-16.so"));
    CHECK(has(gconv, lib + "/gconv/ISO8859-1.so"));
    CHECK_FALSE(files.contains(lib + "/gconv/IBM037.so"));  // not a basic charset
    CHECK_FALSE(files.contains(lib + "/gconv/BIG5.so"));
    // C.UTF-8 is glibc's own, at its fixed place: this host's (Debian 12 ships it in libc-bin).
    if (::access("/usr/lib/locale/C.utf8/LC_CTYPE", F_OK) == 0) {
      CHECK(files.entries().at("/usr/lib/locale/C.utf8/LC_CTYPE").reason ==
            "family the C.UTF-8 locale (for " + lib + "/libc.so.6)");
    }
  }
}

TEST_CASE("families: a rule applies once per anchor, whatever path led to it, and honours skip") {
  test::TempDir t;
  const std::string lib = t / "lib";
  test::write_file(lib + "/libgdk_pixbuf-2.0.so.0.4200.10", "x\n");
  REQUIRE(::symlink("libgdk_pixbuf-2.0.so.0.4200.10", (lib + "/libgdk_pixbuf-2.0.so.0").c_str()) == 0);
  test::write_file(lib + "/gdk-pixbuf-2.0/2.10.0/loaders.cache", "x\n");
  test::write_file(lib + "/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-svg.so", "x\n");
  test::write_file(lib + "/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-bad.so", "x\n");
  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  resolver.add_file(lib + "/libgdk_pixbuf-2.0.so.0", "traced (open)");
  const auto skip = [](const std::string& p) { return p.find("-bad.so") != std::string::npos; };
  const std::vector<std::string> lines = bring_families(builtin_families(), FamilyUse::Trace, resolver, files, skip);
  CHECK(lines.size() == 1);  // the link and the library anchor the same loaders
  CHECK(files.contains(lib + "/gdk-pixbuf-2.0/2.10.0/loaders.cache"));
  CHECK(files.contains(lib + "/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-svg.so"));
  CHECK_FALSE(files.contains(lib + "/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-bad.so"));
}

TEST_CASE("families: closure capture warns about run-time data it does not bring") {
  test::TempDir dir;
  test::write_file(dir / "lib/libfontconfig.so.1", "elf\n");
  test::write_file(dir / "lib/libpython3.11.so.1.0", "elf\n");
  test::write_file(dir / "lib/libgdk_pixbuf-2.0.so.0", "elf\n");
  test::write_file(dir / "lib/gdk-pixbuf-2.0/2.10.0/loaders.cache", "x\n");
  test::write_file(dir / "usr/lib/python3.11/os.py", "#\n");
  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  files.add(dir / "lib/libfontconfig.so.1", "test");
  files.add(dir / "lib/libpython3.11.so.1.0", "test");
  files.add(dir / "lib/libgdk_pixbuf-2.0.so.0", "test");
  files.add(dir / "usr/lib/python3.11/os.py", "test");  // the standard library is there
  bring_families(builtin_families(), FamilyUse::Closure, resolver, files, kKeepAll);
  CHECK_FALSE(files.contains(dir / "lib/gdk-pixbuf-2.0/2.10.0/loaders.cache"));  // closure capture does not bring loaders
  REQUIRE(files.warnings().size() == 2);
  CHECK_THAT(files.warnings()[0], Catch::Contains("libgdk_pixbuf-2.0.so.0' is packed, but gdk-pixbuf's image loaders"));
  CHECK_THAT(files.warnings()[1], Catch::Contains("libfontconfig.so.1' is packed, but fontconfig's configuration and the fonts"));
  CHECK_THAT(files.warnings()[1], Catch::Contains("--trace"));
}

TEST_CASE("families: trace capture brings no family a traced run finds by itself") {
  test::TempDir dir;
  test::write_file(dir / "lib/libperl.so.5.36", "elf\n");
  test::write_file(dir / "share/perl/5.36/POSIX.pm", "1;\n");
  FileSet files;
  ClosureResolver resolver(files, SearchConfig::from_host());
  files.add(dir / "lib/libperl.so.5.36", "traced (open)");
  CHECK(bring_families(builtin_families(), FamilyUse::Trace, resolver, files, kKeepAll).empty());
  CHECK(files.warnings().empty());
  CHECK_FALSE(files.contains(dir / "share/perl/5.36/POSIX.pm"));
}

TEST_CASE("families: a manifest's family extends the table, in every capture") {
  test::TempDir t;
  test::write_file(t / "opt/app/lib/libcore.so.1", "x\n");
  test::write_file(t / "opt/app/plugins/a.so", "x\n");
  test::write_file(t / "opt/app/plugins/b.so", "x\n");
  Manifest m;
  m.capture.families["the app's plugins"] = CaptureFamily{{t / "opt/app/lib/libcore.so*"}, {"../../plugins"}};
  const std::vector<FamilyRule> rules = family_rules(m);
  REQUIRE(rules.size() == builtin_families().size() + 1);
  CHECK(rules.back().name == "the app's plugins");
  for (FamilyUse use : {FamilyUse::Trace, FamilyUse::Closure}) {
    FileSet files;
    ClosureResolver resolver(files, SearchConfig::from_host());
    resolver.add_file(t / "opt/app/lib/libcore.so.1", "entry point app");
    bring_families(rules, use, resolver, files, kKeepAll);
    CHECK(files.entries().at(t / "opt/app/plugins/a.so").reason == "family the app's plugins (for " + t / "opt/app/lib/libcore.so.1)");
    CHECK(files.contains(t / "opt/app/plugins/b.so"));
  }
}
