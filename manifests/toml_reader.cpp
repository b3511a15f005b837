#include "manifests/toml_reader.h"

#include <fmt/format.h>

#include "base/error.h"

namespace appv {

void toml_fail(const std::string& origin, const toml::source_region& where, std::string_view message) {
  throw Error(Exit::BadInput, fmt::format("{}:{}:{}: {}", origin, where.begin.line, where.begin.column, message));
}

toml::table parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    toml_fail(origin, e.source(), e.description());
  }
}

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    toml_fail(path, e.source(), e.description());
  }
}

}  // namespace appv
