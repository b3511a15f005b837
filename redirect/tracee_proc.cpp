#include "redirect/tracee_proc.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fstream>
#include <string_view>

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

bool passes_through_own_proc(const std::string& real) {
  const pid_t self = ::getpid();
  for (size_t start = 1; start < real.size();) {
    size_t end = real.find('/', start);
    if (end == std::string::npos) end = real.size();
    const std::string_view name(real.data() + start, end - start);
    const bool is_self = name == "self" || name == "thread-self";
    const bool numeric = !name.empty() && name.size() <= 10 && name.find_first_not_of("0123456789") == std::string_view::npos;
    if (is_self || numeric) {
      const std::string parent = start == 1 ? "/" : real.substr(0, start - 1);
      struct statfs fs;
      struct stat st;
      if (::statfs(parent.c_str(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC && ::stat(parent.c_str(), &st) == 0 &&
          st.st_ino == 1) {
        if (is_self) return true;
        const long id = std::stol(std::string(name));
        // tgkill with no signal: whether `id` is a thread of this process.
        if (id == self || (id > 0 && id <= INT_MAX && ::syscall(SYS_tgkill, self, static_cast<pid_t>(id), 0) == 0)) {
          return true;
        }
      }
    }
    start = end + 1;
  }
  return false;
}

bool is_own_proc_file(int fd) {
  struct statfs fs;
  if (::fstatfs(fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) return false;
  std::string path;
  int err = 0;
  // Unnamed, it cannot be judged: refused.
  return !read_link(fmt::format("/proc/self/fd/{}", fd), path, err) || path.empty() || path[0] != '/' ||
         passes_through_own_proc(path);
}

}  // namespace appv
