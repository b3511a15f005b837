#include "base/error.h"

#include <cstring>

#include <fmt/format.h>

namespace appv {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message; it may or may not use buf.
  const char* msg = strerror_r(err, buf, sizeof buf);
  return msg;
}

std::string errno_name(int err) {
  const char* name = ::strerrorname_np(err);
  return name ? name : fmt::format("errno {}", err);
}

void throw_sys(std::string_view op, std::string_view path, int err, Exit code) {
  throw Error(code, fmt::format("{} '{}': {}", op, path, errno_text(err)), std::string(op), std::string(path), err);
}

}  // namespace appv
