#include <cstdlib>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/user_dirs.h"

using namespace appv;

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
