// The capture report's text: what people read after a trace or install capture.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "packager/capture_report.h"

using namespace appv;

TEST_CASE("the text report counts kernel-tree paths per tree with a few examples") {
  CaptureReport r;
  r.kind = "trace";
  for (int i = 0; i < 553; ++i) r.excluded.push_back({fmt::format("/proc/{}/stat", 100 + i), "the kernel's tree"});
  r.excluded.push_back({"/sys/devices/system/cpu/online", "the kernel's tree"});
  r.excluded.push_back({"/home/u/.cache/fontconfig/x", "written by the run (created)"});
  r.excluded.push_back({"/procedures/notes", "outside every packed prefix"});
  const std::string text = report_text(r);
  CHECK(text.find("left out: 556 path(s)\n") != std::string::npos);
  CHECK(text.find("  /proc/...: 553 path(s), e.g. /proc/100/stat, /proc/101/stat, /proc/102/stat, ... (the kernel's tree)\n") !=
        std::string::npos);
  CHECK(text.find("  /sys/...: 1 path(s), e.g. /sys/devices/system/cpu/online (the kernel's tree)\n") != std::string::npos);
  CHECK(text.find("/proc/103/stat") == std::string::npos);
  // Other paths keep one line each, /procedures included: it is not below /proc.
  CHECK(text.find("/home/u/.cache/fontconfig/x") != std::string::npos);
  CHECK(text.find("  /procedures/notes") != std::string::npos);
  CHECK(text.find("/dev/...") == std::string::npos);
}

TEST_CASE("the JSON report still lists every path left out") {
  CaptureReport r;
  r.kind = "trace";
  for (int i = 0; i < 20; ++i) r.excluded.push_back({fmt::format("/proc/self/task/{}", i), "the kernel's tree"});
  const std::string json = report_json(r);
  for (int i = 0; i < 20; ++i) CHECK(json.find(fmt::format("\"/proc/self/task/{}\"", i)) != std::string::npos);
}

TEST_CASE("the text report writes sizes as every other size appv prints") {
  CaptureReport r;
  r.kind = "trace";
  r.included.push_back({"/usr/bin/jq", "closure", "entry point jq", "file", 4'640'000, {}});
  const std::string text = report_text(r);
  CHECK(text.find("1 closure (4.6 MB)") != std::string::npos);
  CHECK(text.find("MiB") == std::string::npos);
}
