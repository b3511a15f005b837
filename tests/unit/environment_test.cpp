#include <catch2/catch.hpp>

#include "redirect/environment.h"

using namespace appv;

TEST_CASE("the manifest's environment changes the host's") {
  const char* host[] = {"PATH=/usr/bin:/bin", "HOME=/home/u", "LD_PRELOAD=/evil.so", "EMPTY=", nullptr};
  Environment env;
  env.set["LANG"] = "C.UTF-8";
  env.prepend["PATH"] = "/opt/app/bin";
  env.append["EMPTY"] = "/x";
  env.append["NEW"] = "/y";
  env.unset = {"LD_PRELOAD"};
  std::vector<std::string> out = build_environment(host, env, {{"APPV_APP_ID", "org.a"}});
  CHECK(out == std::vector<std::string>{"APPV_APP_ID=org.a", "EMPTY=/x", "HOME=/home/u", "LANG=C.UTF-8", "NEW=/y",
                                        "PATH=/opt/app/bin:/usr/bin:/bin"});
}
