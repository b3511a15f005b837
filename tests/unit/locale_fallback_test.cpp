// The user's locale in the view (launch/locale_fallback.h): which locales the view
// has, what a missing one falls back to, the notice, and glibc's archive format.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "launch/launch_plan.h"
#include "launch/locale_fallback.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using Env = std::vector<std::string>;

namespace {

MemoryTree with_locales(std::initializer_list<const char*> names) {
  MemoryTree t;
  for (const char* n : names) t.add(fmt::format("{}/{}/LC_CTYPE", kLocaleDir, n), NodeKind::File);
  return t;
}

LocaleSources sources(std::initializer_list<const TreeProbe*> trees, std::set<std::string> archive = {}) {
  LocaleSources s;
  s.trees = trees;
  s.archive = std::move(archive);
  s.where = "the package";
  return s;
}

// A glibc locale archive as locale/locarchive.h lays it out: a header of fourteen
// 32-bit words (magic, serial, then offset/used/size of the name hash table, the
// string table, the record table and the sum hash table), the name hash table of
// {hash, name offset, record offset} entries (name offset 0: an empty slot), then the
// names. Written here word by word, independently of the reader.
std::string archive_with(const std::vector<std::string>& names, size_t slots) {
  std::vector<uint32_t> header(14, 0);
  header[0] = 0xde020109;
  header[2] = 14 * 4;                                  // namehash_offset
  header[3] = static_cast<uint32_t>(names.size());     // namehash_used
  header[4] = static_cast<uint32_t>(slots);            // namehash_size
  const uint32_t strings = 14 * 4 + static_cast<uint32_t>(slots) * 12;
  header[5] = strings;
  std::string table, text;
  for (size_t i = 0; i < slots; ++i) {
    uint32_t entry[3] = {0, 0, 0};
    if (i % 2 == 1 && i / 2 < names.size()) {  // every other slot used, as a hash table leaves gaps
      entry[0] = 0x1234;
      entry[1] = strings + static_cast<uint32_t>(text.size());
      entry[2] = 0x10000;  // a locale record's offset (not followed by the reader)
      text += names[i / 2] + '\0';
    }
    table.append(reinterpret_cast<const char*>(entry), sizeof entry);
  }
  return std::string(reinterpret_cast<const char*>(header.data()), header.size() * 4) + table + text;
}

}  // namespace

TEST_CASE("locale: codesets are compared as glibc normalises them") {
  CHECK(normalize_codeset("UTF-8") == "utf8");
  CHECK(normalize_codeset("utf8") == "utf8");
  CHECK(normalize_codeset("ISO-8859-15") == "iso885915");
  CHECK(normalize_codeset("8859-1") == "iso88591");
  CHECK(normalize_codeset("") == "");
}

TEST_CASE("locale: the view has built-in names, archive entries and locale directories") {
  const MemoryTree package = with_locales({"C.utf8"});
  const MemoryTree host = with_locales({"de_DE.utf8"});
  const LocaleSources both = sources({&package, &host}, {"fr_FR.utf8"});
  for (const char* name : {"", "C", "POSIX", "C.UTF-8", "C.utf8", "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"}) {
    CHECK(locale_in_view(name, both));
  }
  for (const char* name : {"en_US.UTF-8", "fr_FR", "de_DE.ISO-8859-1", "../../etc/x", ".."}) CHECK_FALSE(locale_in_view(name, both));
  CHECK_FALSE(locale_in_view("de_DE.UTF-8", sources({&package})));  // the host's are hidden
  LocaleSources unreadable = sources({&package});
  unreadable.archive = std::nullopt;  // an archive appv cannot read: it does not guess
  CHECK(locale_in_view("en_US.UTF-8", unreadable));
}

TEST_CASE("locale: a locale the view lacks falls back to C.UTF-8, keeping UTF-8, and says so once") {
  const MemoryTree package = with_locales({"C.utf8"});
  const LocaleFallback f =
      fall_back_locales({"PATH=/usr/bin", "LANG=fr_FR.UTF-8", "LC_TIME=fr_FR.UTF-8", "LANGUAGE=fr:en"}, sources({&package}));
  CHECK(f.env == Env{"PATH=/usr/bin", "LANG=C.UTF-8", "LC_TIME=C.UTF-8", "LANGUAGE=fr:en"});
  CHECK(f.notice == "appv: locale fr_FR.UTF-8 (LC_TIME, LANG) is not in this app's view (the package); "
                    "the app runs with C.UTF-8 instead");
}

TEST_CASE("locale: C, POSIX, an unset locale and one the view has are left alone") {
  const MemoryTree package = with_locales({"C.utf8", "en_US.utf8"});
  for (const Env& env : {Env{"LANG=C"}, Env{"LC_ALL=POSIX"}, Env{"HOME=/h"}, Env{"LANG=C.UTF-8"}, Env{"LANG=en_US.UTF-8"},
                         Env{"LANG="}}) {
    const LocaleFallback f = fall_back_locales(env, sources({&package}));
    CHECK(f.env == env);
    CHECK(f.notice.empty());
  }
}

TEST_CASE("locale: without C.UTF-8, or for another charset, the fallback is C") {
  const MemoryTree bare;
  LocaleFallback f = fall_back_locales({"LANG=C.UTF-8"}, sources({&bare}));
  CHECK(f.env == Env{"LANG=C"});
  CHECK(f.notice == "appv: locale C.UTF-8 (LANG) is not in this app's view (the package); the app runs with C instead");
  const MemoryTree package = with_locales({"C.utf8"});
  f = fall_back_locales({"LC_ALL=de_DE.ISO-8859-1", "LANG=ja_JP.UTF-8"}, sources({&package}));
  CHECK(f.env == Env{"LC_ALL=C", "LANG=C.UTF-8"});
  CHECK(f.notice == "appv: locales de_DE.ISO-8859-1 (LC_ALL), ja_JP.UTF-8 (LANG) are not in this app's view (the package); "
                    "the app runs with C, C.UTF-8 instead");
}

TEST_CASE("locale: LOCPATH is the user's own choice of locale directory") {
  const MemoryTree bare;
  const Env env{"LOCPATH=/home/u/locales", "LANG=eo.UTF-8"};
  const LocaleFallback f = fall_back_locales(env, sources({&bare}));
  CHECK(f.env == env);
  CHECK(f.notice.empty());
}

TEST_CASE("locale: glibc's archive gives its names; anything else is not an archive") {
  const std::string bytes = archive_with({"fr_FR.utf8", "en_US.utf8", "de_DE"}, 7);
  const auto names = locale_archive_names(bytes);
  REQUIRE(names);
  CHECK(*names == std::set<std::string>{"fr_FR.utf8", "en_US.utf8", "de_DE"});
  CHECK(locale_archive_names(archive_with({}, 3)) == std::set<std::string>{});
  CHECK_FALSE(locale_archive_names(""));
  CHECK_FALSE(locale_archive_names(std::string(56, '\0')));                 // no magic
  CHECK_FALSE(locale_archive_names(bytes.substr(0, 56 + 3 * 12)));          // the table runs past the end
  CHECK_FALSE(locale_archive_names(bytes.substr(0, bytes.size() - 4)));     // the last name has no NUL
  std::string far = bytes;
  const uint32_t beyond = 0x7fffffff;
  std::memcpy(far.data() + 56 + 12 + 4, &beyond, 4);  // the first used slot's name offset
  CHECK_FALSE(locale_archive_names(far));
}

namespace {

// What a shell command prints on stdout, and its exit status.
std::pair<std::string, int> run_shell(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  return {out, ::pclose(p)};
}

}  // namespace

TEST_CASE("locale: the names read from an archive glibc's localedef wrote are the ones it lists") {
  // localedef and the locale sources come with Debian's locales package
  // (scripts/install-deps installs it for the tests).
  test::TempDir t;
  const std::string prefix = t.path();
  const auto made = run_shell("mkdir -p " + prefix + "/usr/lib/locale && localedef --prefix=" + prefix +
                              " -i fr_FR -f UTF-8 fr_FR.UTF-8 >/dev/null 2>&1 && localedef --prefix=" + prefix +
                              " -i de_DE -f ISO-8859-1 de_DE >/dev/null 2>&1");
  INFO("localedef failed: install the locales package (scripts/install-deps)");
  REQUIRE(made.second == 0);
  const auto listed = run_shell("localedef --prefix=" + prefix + " --list-archive");
  REQUIRE(listed.second == 0);
  std::set<std::string> expected;
  std::istringstream lines(listed.first);
  for (std::string line; std::getline(lines, line);) expected.insert(line);
  CHECK(expected.count("fr_FR.utf8"));
  const auto names = locale_archive_names(test::read_file(prefix + kLocaleArchive));
  REQUIRE(names);
  CHECK(*names == expected);
}

namespace {

Manifest app_manifest() {
  return parse_manifest("id = \"org.example.py\"\nversion = \"1\"\n[entry.py]\npath = \"/usr/bin/python3\"\n", "manifest.toml");
}

LaunchInputs launch_inputs(const Manifest& m, const std::string& lang) {
  LaunchInputs in;
  in.manifest = &m;
  in.package_path = "py.appv";
  in.digest = "D";
  in.user = {{"HOME", "/home/u"}, {"USER", "u"}};
  in.cwd = "/home/u";
  in.environ = {"HOME=/home/u", "LANG=" + lang, "PATH=/usr/bin:/bin"};
  in.cache = "/home/u/.cache/appv";
  in.sandboxes = "/home/u/.local/share/appv/sandboxes";
  in.pid = 42;
  return in;
}

std::string env_value(const LaunchPlan& plan, const std::string& name) {
  for (const std::string& e : plan.env) {
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  }
  return "(unset)";
}

}  // namespace

TEST_CASE("locale: the launch plan checks the user's locale against what the view shows") {
  const Manifest m = app_manifest();
  MemoryTree host;
  for (const char* d : {"/usr/bin", "/etc", "/home/u", "/proc", "/dev", "/sys", "/run", "/tmp"}) host.add(d, NodeKind::Dir);
  host.add(kLocaleArchive, NodeKind::File);
  host.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);
  MemoryTree package;
  package.add("/usr/bin/python3", NodeKind::File);
  package.add("/usr/lib/locale/C.utf8/LC_CTYPE", NodeKind::File);
  std::vector<std::string> archives_read;
  auto reader = [&](const std::string& root, const std::string& path) -> std::optional<std::set<std::string>> {
    archives_read.push_back(root + " " + path);
    return std::set<std::string>{"fr_FR.utf8"};
  };

  SECTION("writecopy /usr: the host's archive has the user's locale") {
    LaunchInputs in = launch_inputs(m, "fr_FR.UTF-8");
    in.read_locale_archive = reader;
    const LaunchPlan plan = plan_launch(in, host, package);
    CHECK(env_value(plan, "LANG") == "fr_FR.UTF-8");
    CHECK(plan.notices.empty());
    CHECK(archives_read == std::vector<std::string>{"/ /usr/lib/locale/locale-archive"});
  }
  SECTION("writecopy /usr: neither the package nor the host has it") {
    LaunchInputs in = launch_inputs(m, "pt_BR.UTF-8");
    in.read_locale_archive = reader;
    const LaunchPlan plan = plan_launch(in, host, package);
    CHECK(env_value(plan, "LANG") == "C.UTF-8");
    REQUIRE(plan.notices.size() == 1);
    CHECK(plan.notices[0] == "appv: locale pt_BR.UTF-8 (LANG) is not in this app's view (the package or the host's "
                             "/usr/lib/locale); the app runs with C.UTF-8 instead");
  }
  SECTION("full /usr: the host's locales are hidden, the package's C.UTF-8 remains") {
    LaunchInputs in = launch_inputs(m, "fr_FR.UTF-8");
    in.read_locale_archive = reader;
    in.isolate = {"/usr=full"};
    const LaunchPlan plan = plan_launch(in, host, package);
    CHECK(env_value(plan, "LANG") == "C.UTF-8");
    REQUIRE(plan.notices.size() == 1);
    CHECK_THAT(plan.notices[0], Catch::Contains("(the package; the host's /usr/lib/locale is hidden)"));
    CHECK(archives_read.empty());
  }
  SECTION("a package's archive hides the host's") {
    package.add(kLocaleArchive, NodeKind::File);
    LaunchInputs in = launch_inputs(m, "fr_FR.UTF-8");
    in.read_locale_archive = reader;
    plan_launch(in, host, package);
    CHECK(archives_read == std::vector<std::string>{"/home/u/.cache/appv/D/root /usr/lib/locale/locale-archive"});
  }
  SECTION("an archive that cannot be read counts as holding every locale") {
    LaunchInputs in = launch_inputs(m, "pt_BR.UTF-8");
    const LaunchPlan plan = plan_launch(in, host, package);  // no reader
    CHECK(env_value(plan, "LANG") == "pt_BR.UTF-8");
    CHECK(plan.notices.empty());
  }
}
