#include "launcher/sandbox_access.h"

#include <fcntl.h>
#include <sys/file.h>

#include <fmt/format.h>

#include "base/error.h"
#include "redirect/instance.h"
#include "base/fs_util.h"

namespace appv::cli {

UniqueFd lock_sandbox(const std::string& sandbox) {
  make_dirs(sandbox, 0700);
  const std::string path = sandbox + "/.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_sys("cannot open lock", path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw_sys("cannot lock", path, errno);
  }
  return fd;
}

UniqueFd lock_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing) {
  UniqueFd fd = lock_sandbox(sandbox);
  if (std::optional<Instance> running = running_instance(sandbox)) {
    throw Error(Exit::Busy, fmt::format("cannot {}: {} is running (pid {}); close it first", doing, app, running->pid));
  }
  return fd;
}

}  // namespace appv::cli
