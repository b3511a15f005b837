// Checking refusals by what they say: the exit status and the message of the
// appv::Error a call throws, and a Reporter that keeps what a library reported.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/reporter.h"

namespace appv::test {

// What `f` threw: an appv::Error's exit status and message; {Exit::Ok, ""} if it returned.
struct Thrown {
  Exit code = Exit::Ok;
  std::string message;
};

inline Thrown thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {};
}

// Keeps what a library reported, to check it without a terminal.
struct RecordingReporter : Reporter {
  std::vector<std::string> warnings;
  void warning(std::string_view text) override { warnings.emplace_back(text); }
};

}  // namespace appv::test

// A refusal checked by what it says: `expr` must throw an appv::Error with exit
// status `status` whose message contains `text`.
#define CHECK_REFUSED(expr, status, text)                                              \
  do {                                                                                 \
    const ::appv::test::Thrown thrown_ = ::appv::test::thrown_by([&] { (void)(expr); }); \
    CHECK(thrown_.code == (status));                                                   \
    CHECK_THAT(thrown_.message, Catch::Contains(text));                                \
  } while (0)
