#include <catch2/catch.hpp>

#include "vfs/link_chains.h"

using namespace appv;

TEST_CASE("link chains that stay inside the tree pass") {
  LinkChains l;
  l.add("lib64", "usr/lib64");
  l.add("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  l.add("usr/bin/sh", "dash");
  l.add("usr/share/icons/app.png", "/usr/share/pixmaps/app.png");  // absolute: from the root
  l.add("a/up", "..");
  l.add("dangling", "no/such/thing");
  CHECK(l.first_escape().first.empty());
  CHECK(l.escape_reason("a/up").empty());
}

TEST_CASE("a chain of links each lexically inside, climbing out together, is refused") {
  LinkChains l;
  l.add("a/up", "..");
  l.add("a/e1", "up/..");   // a/up is the root, so up/.. is above it
  CHECK(l.escape_reason("a/e1") == "its chain of links resolves outside the root");
  CHECK(l.first_escape().first == "a/e1");
}

TEST_CASE("a longer chain and an order that makes the first link dangerous later") {
  LinkChains l;
  // The icon is added first; what makes it escape comes after it.
  l.add("usr/share/icons/x.png", "../../../a/e2/etc/shadow");
  CHECK(l.escape_reason("usr/share/icons/x.png").empty());
  l.add("a/up", "..");
  l.add("a/e1", "up/a");
  l.add("a/e2", "e1/up/..");
  CHECK_FALSE(l.escape_reason("usr/share/icons/x.png").empty());
  CHECK(l.first_escape().first == "a/e2");
}

TEST_CASE("absolute links resolve from the root and may not climb above it") {
  LinkChains l;
  l.add("x", "/..");
  l.add("y", "/usr/../../etc");
  l.add("z", "/usr/lib");
  CHECK_FALSE(l.escape_reason("x").empty());
  CHECK_FALSE(l.escape_reason("y").empty());
  CHECK(l.escape_reason("z").empty());
}

TEST_CASE("loops are refused") {
  LinkChains l;
  l.add("a", "b");
  l.add("b", "a");
  l.add("self", "self/x");
  CHECK_THAT(l.escape_reason("a"), Catch::Contains("loop"));
  CHECK_THAT(l.escape_reason("self"), Catch::Contains("loop"));
}
