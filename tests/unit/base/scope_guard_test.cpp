#include <stdexcept>

#include <catch2/catch.hpp>

#include "base/scope_guard.h"

using namespace appv;

TEST_CASE("a scope guard runs its cleanup at the end of the scope, also when unwinding") {
  int runs = 0;
  { ScopeGuard g([&] { ++runs; }); }
  CHECK(runs == 1);
  try {
    ScopeGuard g([&] { ++runs; });
    throw std::runtime_error("x");
  } catch (const std::runtime_error&) {
  }
  CHECK(runs == 2);
}

TEST_CASE("a dismissed scope guard does nothing") {
  int runs = 0;
  {
    ScopeGuard g([&] { ++runs; });
    g.dismiss();
  }
  CHECK(runs == 0);
}

TEST_CASE("a moved scope guard runs its cleanup once, from where it went") {
  int runs = 0;
  {
    ScopeGuard a([&] { ++runs; });
    {
      ScopeGuard b(std::move(a));
      CHECK(runs == 0);
    }
    CHECK(runs == 1);
  }
  CHECK(runs == 1);
}
