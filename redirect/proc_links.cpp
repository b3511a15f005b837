#include "redirect/proc_links.h"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "redirect/tracee_proc.h"

namespace appv {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

// True if this process traces `pid` (its TracerPid), the way the supervisor knows a
// process of the app's from another of the same user's.
bool traced_by_us(pid_t pid) { return status_field(pid, "TracerPid") == ::getpid(); }

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

ProcLink resolve_proc_link(pid_t pid, const std::string& path, const PathTranslator& view) {
  ProcLink out;
  if (path.rfind("/proc/", 0) != 0) return out;
  // Components up to the link itself are taken lexically ("/proc/self/../self/root"
  // is the same link); what follows it is the view's to resolve.
  const std::vector<std::string> parts = components(path);
  std::vector<std::string> stack;
  size_t next = 0;
  std::string kind;
  std::string fd;
  for (; next < parts.size() && kind.empty(); ++next) {
    const std::string& p = parts[next];
    if (p == ".") continue;
    if (p == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(p);
    // proc WHO [task TID] (root|cwd|fd N)
    if (stack.size() < 3 || stack[0] != "proc") continue;
    if (stack[1] != "self" && stack[1] != "thread-self" && !all_digits(stack[1])) return out;
    size_t at = 2;
    if (stack[at] == "task") {
      if (stack.size() < 5) continue;
      if (!all_digits(stack[3])) return out;
      at = 4;
    }
    const std::string& name = stack[at];
    if (name == "root" || name == "cwd") {
      if (stack.size() != at + 1) return out;
      kind = name;
    } else if (name == "fd") {
      if (stack.size() < at + 2) continue;
      if (stack.size() != at + 2 || !all_digits(stack[at + 1])) return out;
      kind = name;
      fd = stack[at + 1];
    } else {
      return out;  // another /proc entry: not a way out of the view
    }
  }
  if (kind.empty()) return out;
  std::string rest;
  for (; next < parts.size(); ++next) rest += "/" + parts[next];

  out.is_link = true;
  out.whole = rest.empty();
  pid_t whose = pid;
  if (all_digits(stack[1])) {
    const unsigned long id = std::stoul(stack[1]);
    whose = id > 0 && id <= 0x7fffffff ? static_cast<pid_t>(id) : 0;
  }
  if (stack[2] == "task") {
    const unsigned long id = std::stoul(stack[3]);
    whose = id > 0 && id <= 0x7fffffff ? static_cast<pid_t>(id) : 0;
  }
  if (whose <= 0) {
    out.error = ENOENT;
    return out;
  }
  if (whose != pid && !traced_by_us(whose)) {
    out.error = EACCES;  // its root and files are the host's, outside the view
    return out;
  }
  if (kind == "root") {
    out.view_path = rest.empty() ? "/" : rest;
    out.shown = "/";
    return out;
  }
  std::string real;
  int err = 0;
  const std::string link = kind == "cwd" ? fmt::format("/proc/{}/cwd", whose) : fmt::format("/proc/{}/fd/{}", whose, fd);
  if (!read_link(link, real, err)) {
    out.error = err == ENAMETOOLONG ? EACCES : err;
    return out;
  }
  if (real.empty() || real[0] != '/') {
    out.is_link = false;  // a pipe, a socket, an anonymous inode: the same object either way
    return out;
  }
  constexpr std::string_view kDeleted = " (deleted)";
  if (real.size() > kDeleted.size() && real.compare(real.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
    out.error = EACCES;
    const std::string was = view.view_path_of(real.substr(0, real.size() - kDeleted.size()));
    if (!was.empty()) out.shown = was + std::string(kDeleted);
    return out;
  }
  std::string in_view = view.view_path_of(real);
  if (in_view.empty()) {
    if (!view.table().is_root_dir(real) || view.table().covering(real)) {
      out.error = EACCES;
      return out;
    }
    in_view = real;  // a directory of the view's root stands for itself
  }
  out.view_path = in_view == "/" ? (rest.empty() ? "/" : rest) : in_view + rest;
  out.shown = in_view;
  return out;
}

bool is_host_kernel_setting(const std::string& view_path) {
  std::vector<std::string> clean;
  for (const std::string& p : components(view_path)) {
    if (p == "..") {
      if (!clean.empty()) clean.pop_back();
    } else if (p != ".") {
      clean.push_back(p);
    }
  }
  if (clean.size() < 2 || clean[0] != "proc") return false;
  return clean[1] == "sys" || clean[1] == "sysrq-trigger";
}

bool is_maps_file(const std::string& real) {
  // /proc/<digits>[/task/<digits>]/{maps,smaps}
  const auto digits = [&](size_t& at) {
    const size_t start = at;
    while (at < real.size() && real[at] >= '0' && real[at] <= '9') ++at;
    return at > start;
  };
  constexpr std::string_view kProc = "/proc/", kTask = "/task/";
  if (real.compare(0, kProc.size(), kProc) != 0) return false;
  size_t at = kProc.size();
  if (!digits(at)) return false;
  if (real.compare(at, kTask.size(), kTask) == 0) {
    at += kTask.size();
    if (!digits(at)) return false;
  }
  const std::string_view rest = std::string_view(real).substr(at);
  return rest == "/maps" || rest == "/smaps";
}

std::string maps_in_view(std::string_view text, const std::function<std::string(const std::string&)>& view_of) {
  constexpr std::string_view kDeleted = " (deleted)";
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    const bool newline = eol != std::string_view::npos;
    // A mapping's line has five fields before its pathname; smaps's "Key: value"
    // lines have fewer and are left as they are.
    size_t at = 0;
    int fields = 0;
    while (fields < 5 && at < line.size()) {
      while (at < line.size() && line[at] == ' ') ++at;
      const size_t start = at;
      while (at < line.size() && line[at] != ' ') ++at;
      if (at > start) ++fields;
    }
    while (fields == 5 && at < line.size() && line[at] == ' ') ++at;
    std::string_view path = fields == 5 && at < line.size() && line[at] == '/' ? line.substr(at) : std::string_view();
    std::string_view suffix;
    if (path.size() > kDeleted.size() && path.substr(path.size() - kDeleted.size()) == kDeleted) {
      suffix = kDeleted;
      path.remove_suffix(kDeleted.size());
    }
    const std::string shown = path.empty() ? std::string() : view_of(std::string(path));
    if (shown.empty() || shown == path) {
      out += line;
    } else {
      out += line.substr(0, at);
      out += shown;
      out += suffix;
    }
    if (newline) out += '\n';
  }
  return out;
}

}  // namespace appv
