#include "launcher/sandbox_access.h"

#include <fcntl.h>
#include <sys/file.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/file_lock.h"
#include "redirect/instance.h"
#include "base/fs_util.h"
#include "vfs/layout.h"

namespace appv::cli {

UniqueFd lock_sandbox(const std::string& sandbox) {
  make_dirs(sandbox, 0700);
  const std::string path = layout::sandbox_lock(sandbox);
  return lock_file(path, 0600, LockWait::Block);
}

UniqueFd lock_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing) {
  UniqueFd fd = lock_sandbox(sandbox);
  if (std::optional<Instance> running = running_instance(sandbox)) {
    throw Error(Exit::Busy, fmt::format("cannot {}: {} is running (pid {}); close it first", doing, app, running->pid));
  }
  return fd;
}

}  // namespace appv::cli
