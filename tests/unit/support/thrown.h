// Checking refusals by what they say: the exit status and the message of the
// appv::Error a call throws, and a Reporter that keeps what a library reported.
#pragma once

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
