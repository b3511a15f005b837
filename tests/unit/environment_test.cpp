#include <catch2/catch.hpp>

#include "base/error.h"
#include "launch/environment.h"
#include "tests/unit/support/thrown.h"

using namespace appv;

namespace {

const Tokens kTokens{{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "/home/u/.config"}, {"APPV_APP_ID", "org.a"},
                     {"APPV_ROOT", "/c/D/root"}};

}  // namespace

TEST_CASE("the manifest's environment changes the host's") {
  const char* host[] = {"PATH=/usr/bin:/bin", "HOME=/home/u", "LD_PRELOAD=/evil.so", "EMPTY=", nullptr};
  Environment env;
  env.set["LANG"] = "C.UTF-8";
  env.prepend["PATH"] = "/opt/app/bin";
  env.append["EMPTY"] = "/x";
  env.append["NEW"] = "/y";
  env.unset = {"LD_PRELOAD"};
  std::vector<std::string> out = build_environment(host, env, kTokens);
  CHECK(out == std::vector<std::string>{"APPV_APP_ID=org.a", "APPV_ROOT=/c/D/root", "EMPTY=/x", "GSETTINGS_BACKEND=keyfile",
                                        "HOME=/home/u", "LANG=C.UTF-8", "NEW=/y", "PATH=/opt/app/bin:/usr/bin:/bin"});
}

TEST_CASE("environment values expand per-user tokens and appv's own") {
  const char* host[] = {"PYTHONPATH=/host/lib", nullptr};
  Environment env;
  env.set["APP_CONF"] = "${XDG_CONFIG_HOME}/app.conf";
  env.set["PRICE"] = "$$5";
  env.prepend["PYTHONPATH"] = "${APPV_ROOT}/opt/app/lib";
  env.set["APPV_APP_ID"] = "spoofed";  // appv's own variables win
  std::vector<std::string> out = build_environment(host, env, kTokens);
  CHECK(std::count(out.begin(), out.end(), "APP_CONF=/home/u/.config/app.conf") == 1);
  CHECK(std::count(out.begin(), out.end(), "PRICE=$5") == 1);
  CHECK(std::count(out.begin(), out.end(), "PYTHONPATH=/c/D/root/opt/app/lib:/host/lib") == 1);
  CHECK(std::count(out.begin(), out.end(), "APPV_APP_ID=org.a") == 1);
  env.set["BAD"] = "${XDG_RUNTIME_DIR}/sock";  // this user has none
  CHECK_REFUSED(build_environment(host, env, kTokens), Exit::BadInput, "XDG_RUNTIME_DIR");
}

TEST_CASE("a clean environment keeps only the session's essentials") {
  const char* host[] = {"PATH=/home/u/bin:/usr/bin", "HOME=/home/u", "DISPLAY=:0", "LC_ALL=C", "AWS_SECRET_KEY=x",
                        "LD_LIBRARY_PATH=/opt/lib", nullptr};
  Environment env;
  env.clean = true;
  env.unset = {"GSETTINGS_BACKEND"};  // a manifest may still opt out of the keyfile backend
  std::vector<std::string> out = build_environment(host, env, {});
  CHECK(out == std::vector<std::string>{"DISPLAY=:0", "HOME=/home/u", "LC_ALL=C",
                                        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
}
