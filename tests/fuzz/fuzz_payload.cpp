// libFuzzer target: the extraction path. The input is tar bytes; they are compressed,
// framed as a package with an honest header, and extracted into a fresh directory,
// which must afterwards hold nothing outside it (checked by the fixed layout below).
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "tests/unit/support/package_builder.h"
#include "tests/unit/support/temp_dir.h"
#include "base/fs_util.h"
#include "vfs/package.h"
#include "vfs/payload.h"

namespace {

const appv::test::TempDir& scratch() {
  static const appv::test::TempDir dir;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace appv;
  const std::string base = scratch().path();
  const std::string pkg = base + "/p.appv";
  const std::string out = base + "/out";
  std::string tar(reinterpret_cast<const char*>(data), size);
  test::write_file(pkg, test::frame_package(test::zstd_compress(tar), test::kTestManifest, 1 << 20, 1 << 24));
  PayloadLimits limits;
  limits.max_total_bytes = 64 << 20;
  limits.max_entry_bytes = 16 << 20;
  try {
    Package p = Package::open(pkg);
    extract_to(p, out, limits);
  } catch (const Error&) {
  }
  remove_tree(out);
  // Extraction may create only `out` (removed above) beside the package.
  if (test::list_tree(base) != std::vector<std::string>{"p.appv"}) __builtin_trap();
  return 0;
}
