// libFuzzer target: a glibc locale archive's bytes through the name reader the launch
// uses on the archive a package may carry (launch/locale_fallback.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "launch/locale_fallback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  appv::locale_archive_names(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
