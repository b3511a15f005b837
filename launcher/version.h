// What `appv --version` and `appv version` print.
#pragma once

#include <string>

namespace appv::cli {

// "appv 0.1.0\npackage format: reads 1, writes 1\nbuild: GNU 12.2.0, RelWithDebInfo,
// git v0.1.0-12-gabc1234\n". The first line stays "appv VERSION" for scripts; the
// git line is `git describe` when the build was configured ("unknown" outside a
// clone), so a build configured before later commits still names the older one.
std::string version_text();

}  // namespace appv::cli
