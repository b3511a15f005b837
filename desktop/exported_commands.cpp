#include "desktop/exported_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"

namespace appv {
namespace {

bool same_dir(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return a == b;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::vector<std::string> path_dirs(const std::string& path_env) {
  std::vector<std::string> dirs;
  size_t start = 0;
  while (start <= path_env.size()) {
    const size_t colon = std::min(path_env.find(':', start), path_env.size());
    const std::string dir = path_env.substr(start, colon - start);
    if (!dir.empty() && dir[0] == '/') dirs.push_back(dir);
    start = colon + 1;
  }
  return dirs;
}

std::optional<std::string> link_target(const std::string& path) {
  std::string target(4096, '\0');
  const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n < 0 || static_cast<size_t>(n) >= target.size()) return std::nullopt;
  target.resize(static_cast<size_t>(n));
  return target;
}

}  // namespace

std::optional<std::string> found_on_path(const std::string& name, const std::string& bin, const std::string& path_env) {
  for (const std::string& dir : path_dirs(path_env)) {
    if (same_dir(dir, bin)) continue;
    const std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

bool dir_on_path(const std::string& dir, const std::string& path_env) {
  for (const std::string& d : path_dirs(path_env)) {
    if (same_dir(d, dir)) return true;
  }
  return false;
}

void check_command_export(const std::string& name, const std::string& bin, const std::string& package,
                          const std::string& path_env, const CommandOverrides& overrides) {
  const std::string link = bin + "/" + name;
  if (!overrides.shadow) {
    if (std::optional<std::string> other = found_on_path(name, bin, path_env)) {
      throw Error(Exit::CantCreate,
                  fmt::format("command '{}' is on PATH already ({}): refusing to shadow it; add --shadow to export it anyway",
                              shown_name(name), shown_name(*other)));
    }
  }
  struct stat st;
  if (::lstat(link.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_sys("cannot inspect", link, errno);
  }
  if (!overrides.force && !(S_ISLNK(st.st_mode) && link_target(link) == package)) {
    throw Error(Exit::CantCreate,
                fmt::format("'{}' exists and is not this app's command: refusing to replace it; add --force to replace it",
                            shown_name(link)));
  }
}

void make_command_link(const std::string& link, const std::string& package) {
  const std::string staged = fmt::format("{}/.{}.appv-{}", parent_dir(link), link.substr(link.rfind('/') + 1), ::getpid());
  ::unlink(staged.c_str());  // what a killed install of this pid's number left
  if (::symlink(package.c_str(), staged.c_str()) != 0) throw_sys("cannot create the link", staged, errno);
  if (::rename(staged.c_str(), link.c_str()) != 0) {
    const int err = errno;
    ::unlink(staged.c_str());
    throw_sys("cannot create the command", link, err);
  }
}

bool remove_command_link(const std::string& link, const std::string& package) {
  struct stat st;
  if (::lstat(link.c_str(), &st) != 0 || !S_ISLNK(st.st_mode) || link_target(link) != package) return false;
  if (::unlink(link.c_str()) != 0 && errno != ENOENT) throw_sys("cannot remove", link, errno);
  return true;
}

}  // namespace appv
