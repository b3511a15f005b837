// How the supervisor names and translates a path the app gives it, for both of its
// halves (redirect/supervisor.h): the ptrace stops (supervisor.cpp) and the user
// notifications (notified_calls.cpp). A check made here holds for every call,
// whichever way it reached the supervisor.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "redirect/proc_links.h"
#include "redirect/supervisor.h"
#include "redirect/tracee_proc.h"

namespace appv {
namespace {

// A relative path's directory that read_link could not name: no such descriptor
// (left to the kernel, which answers EBADF), or one the supervisor cannot name.
int unnamed_base_error(const std::string& link) {
  char c;
  if (::readlink(link.c_str(), &c, 1) < 0 && errno == ENOENT) return -1;
  return ENAMETOOLONG;
}

}  // namespace

int Supervisor::view_path(pid_t pid, std::string path, int dirfd, std::string& out, std::string* through) const {
  if (through) through->clear();
  out = std::move(path);
  if (out.empty()) return -1;
  if (out[0] == '/') return 0;
  if (dirfd != AT_FDCWD) {
    if (const HeldDir* held = held_dir(pid, dirfd)) {
      out = held->view == "/" ? "/" + out : held->view + "/" + out;
      if (through) *through = held->real;
      return 0;
    }
  }
  const std::string link = dirfd == AT_FDCWD ? fmt::format("/proc/{}/cwd", pid) : fmt::format("/proc/{}/fd/{}", pid, dirfd);
  const std::string base = read_link(link);
  if (base.empty()) return unnamed_base_error(link);
  if (base[0] != '/') return -1;  // a pipe or socket: not a directory of the file system
  std::string view = view_.view_path_of(base);
  if (view.empty()) view = base;  // the view's own directories stand for themselves
  out = view == "/" ? "/" + out : view + "/" + out;
  return 0;
}

Translation Supervisor::translate_for(pid_t pid, std::string path, Intent intent, bool follow, unsigned mode) {
  for (int hops = 0;; ++hops) {
    Translation t = view_.translate(path, intent, follow, mode);
    if (t.error || t.real.rfind("/proc/", 0) != 0) return t;
    if (intent != Intent::Lookup && is_host_kernel_setting(t.real)) {
      t.error = EROFS;
      return t;
    }
    const ProcLink link = resolve_proc_link(pid, t.real, view_);
    if (!link.is_link || (link.whole && !follow)) return t;
    if (link.error || hops == 8) {
      t.error = link.error ? link.error : ELOOP;
      return t;
    }
    path = link.view_path;
  }
}

bool Supervisor::is_place_root(const std::string& view_path) const {
  const ViewPlace* place = view_.table().covering(view_path);
  return place && place->target == view_path;
}

bool Supervisor::in_kernel_place(const std::string& view_path) const {
  const ViewPlace* place = view_.table().covering(view_path);
  return place && place->kernel;
}

pid_t Supervisor::exe_link_owner(const std::string& path, pid_t caller) {
  if (path == "/proc/self/exe" || path == "/proc/thread-self/exe") return caller;
  if (path.rfind("/proc/", 0) != 0 || path.size() <= 10 || path.compare(path.size() - 4, 4, "/exe") != 0) return 0;
  const std::string id = path.substr(6, path.size() - 10);
  if (id.empty() || id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos) return 0;
  const unsigned long n = std::stoul(id);
  return n <= 0x7fffffff ? static_cast<pid_t>(n) : 0;  // past pid_t: no such process, the kernel answers
}

int Supervisor::exec_view_path(pid_t pid, std::string& path) const {
  if (const pid_t whose = exe_link_owner(path, pid); whose > 0) {
    const std::string exe = program_of(whose);
    if (exe.empty()) return ENOENT;
    path = exe;
    return 0;
  }
  const ProcLink link = resolve_proc_link(pid, path, view_);
  if (!link.is_link) return 0;
  if (link.error) return link.error;
  path = link.view_path;
  return 0;
}

int Supervisor::execveat_path(pid_t pid, const uint64_t (&args)[6], std::string& path) {
  const int dirfd = static_cast<int>(args[0]);
  const auto flags = static_cast<unsigned>(args[4]);
  const std::string given = read_tracee_string(pid, args[1]);
  if (given.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return -1;  // ENOENT (or EFAULT): the kernel's answer
    // fexecve: the file the descriptor names, by its view path.
    const ProcLink link = resolve_proc_link(pid, fmt::format("/proc/self/fd/{}", dirfd), view_);
    if (!link.is_link || link.error) return -1;
    path = link.view_path;
    return 0;
  }
  if (const int named = view_path(pid, given, dirfd, path); named != 0) return named > 0 ? named : -1;
  if (flags & AT_SYMLINK_NOFOLLOW) {
    const Translation t = translate_for(pid, path, Intent::Lookup, false);
    if (t.error) return t.error;
    if (t.kind == NodeKind::Symlink) return ELOOP;
  }
  return 0;
}

bool Supervisor::proc_link_text(pid_t pid, const Translation& t, std::string& text) const {
  if (t.real.rfind("/proc/", 0) != 0) return false;
  const ProcLink link = resolve_proc_link(pid, t.real, view_);
  if (!link.is_link || !link.whole || link.shown.empty()) return false;
  text = link.shown;
  return true;
}

}  // namespace appv
