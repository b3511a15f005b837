#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/user_dirs.h"
#include "tests/unit/support/temp_dir.h"

using namespace appv;
using appv::test::TempDir;

namespace {

// Sets (or unsets, for nullopt) an environment variable for the scope's lifetime.
class EnvVar {
 public:
  EnvVar(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~EnvVar() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("XDG directories default below HOME as the specification says") {
  EnvVar home("HOME", "/home/u");
  EnvVar c("XDG_CONFIG_HOME", std::nullopt), d("XDG_DATA_HOME", std::nullopt), k("XDG_CACHE_HOME", std::nullopt),
      s("XDG_STATE_HOME", std::nullopt), r("XDG_RUNTIME_DIR", std::nullopt);
  CHECK(home_dir() == "/home/u");
  CHECK(xdg_dir(XdgDir::Config) == "/home/u/.config");
  CHECK(xdg_dir(XdgDir::Data) == "/home/u/.local/share");
  CHECK(xdg_dir(XdgDir::Cache) == "/home/u/.cache");
  CHECK(xdg_dir(XdgDir::State) == "/home/u/.local/state");
  CHECK(xdg_dir(XdgDir::Runtime).empty());
}

TEST_CASE("an absolute XDG variable wins; a relative one is ignored") {
  EnvVar home("HOME", "/home/u");
  EnvVar d("XDG_DATA_HOME", "/data"), c("XDG_CONFIG_HOME", "relative/config"), r("XDG_RUNTIME_DIR", "/run/user/1");
  CHECK(xdg_dir(XdgDir::Data) == "/data");
  CHECK(xdg_dir(XdgDir::Config) == "/home/u/.config");
  CHECK(xdg_dir(XdgDir::Runtime) == "/run/user/1");
}

TEST_CASE("without an absolute HOME only absolute XDG variables count") {
  EnvVar home("HOME", "relative");
  EnvVar k("XDG_CACHE_HOME", "/cache"), d("XDG_DATA_HOME", std::nullopt);
  CHECK(home_dir().empty());
  CHECK(xdg_dir(XdgDir::Cache) == "/cache");
  CHECK(xdg_dir(XdgDir::Data).empty());
  try {
    require_xdg_dir(XdgDir::Data);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::Environment);
    CHECK(std::string(e.what()) == "neither XDG_DATA_HOME nor HOME is set to an absolute path");
  }
}

TEST_CASE("XDG directories below HOME=/ or a HOME ending in '/' have one slash") {
  EnvVar c("XDG_CONFIG_HOME", std::nullopt), k("XDG_CACHE_HOME", std::nullopt), d("XDG_DATA_HOME", std::nullopt);
  {
    EnvVar home("HOME", "/");
    CHECK(xdg_dir(XdgDir::Cache) == "/.cache");
    CHECK(xdg_dir(XdgDir::Data) == "/.local/share");
    CHECK(require_xdg_dir(XdgDir::Config) == "/.config");
  }
  EnvVar home("HOME", "/home/u//");
  CHECK(xdg_dir(XdgDir::Cache) == "/home/u/.cache");
}

TEST_CASE("appv's own base directories are named by their real paths: a HOME or XDG directory through a link") {
  TempDir t;
  // Homes moved to another disk: /home/u -> /data/home/u.
  const std::string real_home = t / "data/home/u", link = t / "home-u";
  REQUIRE(::mkdir((t / "data").c_str(), 0755) == 0);
  REQUIRE(::mkdir((t / "data/home").c_str(), 0755) == 0);
  REQUIRE(::mkdir(real_home.c_str(), 0755) == 0);
  REQUIRE(::symlink(real_home.c_str(), link.c_str()) == 0);
  const std::string real_root = real_user_path(t.path());  // the scratch directory may itself be below a link
  EnvVar c("XDG_CONFIG_HOME", std::nullopt), k("XDG_CACHE_HOME", std::nullopt), d("XDG_DATA_HOME", std::nullopt);

  SECTION("HOME a link; the directories below it need not exist yet") {
    EnvVar home("HOME", link);
    CHECK(xdg_dir(XdgDir::Cache) == link + "/.cache");  // as the user wrote it, for the app's environment
    CHECK(require_xdg_dir(XdgDir::Cache) == real_root + "/data/home/u/.cache");
    CHECK(require_xdg_dir(XdgDir::Data) == real_root + "/data/home/u/.local/share");
    REQUIRE(::mkdir((real_home + "/.cache").c_str(), 0700) == 0);
    CHECK(require_xdg_dir(XdgDir::Cache) == real_root + "/data/home/u/.cache");
  }
  SECTION("XDG_CACHE_HOME a link of its own, relative, inside the home") {
    REQUIRE(::mkdir((real_home + "/real-cache").c_str(), 0700) == 0);
    REQUIRE(::symlink("real-cache", (real_home + "/cache-link").c_str()) == 0);
    EnvVar home("HOME", real_home);
    EnvVar cache("XDG_CACHE_HOME", real_home + "/cache-link");
    CHECK(require_xdg_dir(XdgDir::Cache) == real_root + "/data/home/u/real-cache");
    CHECK(require_xdg_dir(XdgDir::Data) == real_root + "/data/home/u/.local/share");
  }
  SECTION("a HOME with a space and non-ASCII letters, through a link") {
    const std::string odd = real_home + "/作業 フォルダ";
    REQUIRE(::mkdir(odd.c_str(), 0755) == 0);
    EnvVar home("HOME", link + "/作業 フォルダ");
    CHECK(require_xdg_dir(XdgDir::Data) == real_root + "/data/home/u/作業 フォルダ/.local/share");
  }
  SECTION("'.', '..' and repeated slashes, in the part that exists and the part that does not") {
    CHECK(real_user_path(link + "//./x/../y/.") == real_root + "/data/home/u/y");
    // '..' after a link is the parent of where the link leads, as the kernel resolves it.
    CHECK(real_user_path(link + "/../u/a/b/../../c") == real_root + "/data/home/u/c");
    CHECK(real_user_path("/") == "/");
  }
}
