#include <catch2/catch.hpp>

#include "manifests/paths.h"

using namespace appv;

TEST_CASE("clean absolute paths") {
  CHECK(is_clean_absolute("/"));
  CHECK(is_clean_absolute("/usr/bin"));
  CHECK_FALSE(is_clean_absolute(""));
  CHECK_FALSE(is_clean_absolute("usr"));
  CHECK_FALSE(is_clean_absolute("/usr/"));
  CHECK_FALSE(is_clean_absolute("/usr//bin"));
  CHECK_FALSE(is_clean_absolute("/usr/./bin"));
  CHECK_FALSE(is_clean_absolute("/usr/../etc"));
}

TEST_CASE("normalising never climbs above the root") {
  CHECK(normalize_absolute("/a/./b//c/../d") == "/a/b/d");
  CHECK(normalize_absolute("/../../etc") == "/etc");
  CHECK(normalize_absolute("") == "/");
  CHECK(normalize_absolute("a/b") == "/a/b");
}

TEST_CASE("prefixes stop at component boundaries") {
  CHECK(path_has_prefix("/usr/bin", "/usr"));
  CHECK(path_has_prefix("/usr", "/usr"));
  CHECK_FALSE(path_has_prefix("/usrx", "/usr"));
  CHECK(path_has_prefix("/anything", "/"));
}

TEST_CASE("globs: *, ?, ** and classes") {
  CHECK(glob_match("/usr/lib/*.so", "/usr/lib/libx.so"));
  CHECK_FALSE(glob_match("/usr/lib/*.so", "/usr/lib/sub/libx.so"));
  CHECK(glob_match("/usr/lib/**/*.so", "/usr/lib/sub/deeper/libx.so"));
  CHECK(glob_match("/usr/lib/**/*.so", "/usr/lib/libx.so"));
  CHECK(glob_match("/usr/lib/lib?.so", "/usr/lib/libx.so"));
  CHECK_FALSE(glob_match("/usr/lib/lib?.so", "/usr/lib/libxy.so"));
  CHECK(glob_match("/usr/lib/lib[a-c].so", "/usr/lib/libb.so"));
  CHECK_FALSE(glob_match("/usr/lib/lib[!a-c].so", "/usr/lib/libb.so"));
  CHECK(glob_match("/**/__pycache__", "/usr/lib/python3/__pycache__/x.pyc"));
  CHECK_FALSE(glob_match("/**/__pycache__", "/usr/lib/python3/x.py"));
}

TEST_CASE("a glob without wildcards covers a directory's whole tree") {
  CHECK(glob_match("/usr/lib/python3.11", "/usr/lib/python3.11/json/__init__.py"));
  CHECK_FALSE(glob_match("/usr/lib/python3.11", "/usr/lib/python3.111"));
}

TEST_CASE("pathological globs finish quickly") {
  std::string pattern = "/";
  for (int i = 0; i < 30; ++i) pattern += "*a";
  std::string path = "/" + std::string(200, 'a') + "b";
  CHECK_FALSE(glob_match(pattern, path));
}

TEST_CASE("environment variable names") {
  CHECK(valid_env_name("PATH"));
  CHECK(valid_env_name("_x1"));
  CHECK_FALSE(valid_env_name("1X"));
  CHECK_FALSE(valid_env_name("A-B"));
  CHECK_FALSE(valid_env_name(""));
}
