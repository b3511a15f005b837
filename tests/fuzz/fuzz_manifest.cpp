// libFuzzer target: the manifest parser and validator, and the writer on what parses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "manifests/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace appv;
  try {
    Manifest m = parse_manifest(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    // What parses must write and parse back to the same text.
    std::string text = write_manifest(m);
    if (write_manifest(parse_manifest(text, "fuzz-written")) != text) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
