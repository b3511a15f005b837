#include "launcher/format.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"

namespace appv::cli {

std::string current_dir() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string("/");
}

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw_sys("cannot read", "/proc/self/exe", errno, Exit::Environment);
  return std::string(buf, static_cast<size_t>(n));
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  const auto columns = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xc0) != 0x80;
    return n;
  };
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], columns(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - columns(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

int report_errors(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    // Messages quote packages, manifests and registries: printed escaped, one line.
    std::fprintf(stderr, "appv: %s\n", printable_message(e.what()).c_str());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "appv: internal error: %s\n", printable_message(e.what()).c_str());
    return static_cast<int>(Exit::Internal);
  }
}


}  // namespace appv::cli
