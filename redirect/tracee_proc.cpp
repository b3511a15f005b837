#include "redirect/tracee_proc.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <fmt/format.h>

namespace appv {
namespace {

// The text after "FIELD:" in /proc/PID/status, "" if absent.
std::string status_text(pid_t pid, const std::string& field) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return {};
}

}  // namespace

bool read_link(const std::string& path, std::string& out, int& err) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) {
    err = errno;
    return false;
  }
  // A text that fills the page may be cut short: it would name another file.
  if (static_cast<size_t>(n) >= sizeof buf) {
    err = ENAMETOOLONG;
    return false;
  }
  out.assign(buf, static_cast<size_t>(n));
  return true;
}

std::string read_link(const std::string& path) {
  std::string out;
  int err = 0;
  return read_link(path, out, err) ? out : std::string();
}

pid_t status_field(pid_t pid, const std::string& field) {
  const std::string text = status_text(pid, field);
  try {
    return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
  } catch (const std::exception&) {
    return -1;
  }
}

mode_t umask_of(pid_t pid) {
  const std::string text = status_text(pid, "Umask");
  try {
    return text.empty() ? 022 : static_cast<mode_t>(std::stoul(text, nullptr, 8)) & 0777;
  } catch (const std::exception&) {
    return 022;
  }
}

}  // namespace appv
