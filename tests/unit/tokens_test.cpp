#include <catch2/catch.hpp>

#include "base/error.h"
#include "manifests/tokens.h"
#include "tests/unit/support/thrown.h"

using namespace appv;

TEST_CASE("tokens: ~, $NAME and ${NAME} expand; $$ is a dollar") {
  const Tokens t{{"HOME", "/home/u"}, {"XDG_DATA_HOME", "/d"}};
  CHECK(expand_tokens("~", t, "x") == "/home/u");
  CHECK(expand_tokens("~/.mozilla", t, "x") == "/home/u/.mozilla");
  CHECK(expand_tokens("/a/~b", t, "x") == "/a/~b");  // only a leading ~
  CHECK(expand_tokens("${XDG_DATA_HOME}/app", t, "x") == "/d/app");
  CHECK(expand_tokens("$HOME/x", t, "x") == "/home/u/x");
  CHECK(expand_tokens("a$$b", t, "x") == "a$b");
  CHECK_REFUSED(expand_tokens("$NOPE", t, "x"), Exit::BadInput, "x '$NOPE': ");
  CHECK_REFUSED(expand_tokens("${HOME", t, "x"), Exit::BadInput, "x '${HOME': ");
  CHECK_REFUSED(expand_tokens("$", t, "x"), Exit::BadInput, "x '$': ");
  CHECK_REFUSED(expand_tokens("$1", t, "x"), Exit::BadInput, "x '$1': ");
}

TEST_CASE("tokens: a manifest may name only the tokens it is allowed") {
  CHECK(check_tokens("~/.config", is_path_token).empty());
  CHECK(check_tokens("${XDG_STATE_HOME}/x", is_path_token).empty());
  CHECK_THAT(check_tokens("$APPV_ROOT/x", is_path_token), Catch::Contains("unknown token ${APPV_ROOT}"));
  CHECK(check_tokens("${APPV_ROOT}/lib", is_env_token).empty());
  CHECK_THAT(check_tokens("$PATH", is_env_token), Catch::Contains("unknown token"));
}

TEST_CASE("tokens: the XDG defaults follow the spec") {
  ::setenv("HOME", "/home/t", 1);
  ::unsetenv("XDG_CONFIG_HOME");
  ::setenv("XDG_DATA_HOME", "relative/ignored", 1);
  ::setenv("XDG_CACHE_HOME", "/c", 1);
  Tokens t = user_tokens();
  CHECK(t.at("XDG_CONFIG_HOME") == "/home/t/.config");
  CHECK(t.at("XDG_DATA_HOME") == "/home/t/.local/share");
  CHECK(t.at("XDG_CACHE_HOME") == "/c");
  CHECK(t.at("XDG_STATE_HOME") == "/home/t/.local/state");
}
