#include "launcher/invoked_name.h"

namespace appv::cli {

std::optional<std::string> entry_named_by(std::string_view argv0, const Manifest& manifest) {
  const size_t slash = argv0.rfind('/');
  const std::string name(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
  if (name.empty() || manifest.entries.count(name) == 0) return std::nullopt;
  return name;
}

}  // namespace appv::cli
