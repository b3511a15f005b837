#include "launcher/version.h"

#include <fmt/format.h>

#include "launcher/build_info.h"
#include "vfs/package_format.h"

namespace appv::cli {

std::string version_text() {
  // The reader accepts exactly the version the writer writes (package_format.cpp);
  // a range appears here once a reader accepts older ones.
  return fmt::format("appv {}\npackage format: reads {}, writes {}\nbuild: {}, {}, git {}\n", APPV_VERSION,
                     kFormatVersion, kFormatVersion, APPV_BUILD_COMPILER, APPV_BUILD_TYPE, APPV_BUILD_GIT);
}

}  // namespace appv::cli
