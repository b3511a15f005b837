#include "vfs/sandbox_access.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/file_lock.h"
#include "base/fs_util.h"
#include "vfs/idle_instance.h"
#include "vfs/layout.h"
#include "vfs/work_dirs.h"

namespace appv {
namespace {

// Field 22 of /proc/PID/stat (clock ticks since boot), "" if the process is gone or
// a zombie (an instance's init that ended and waits to be reaped holds no view).
std::string start_time(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // the command name may hold spaces and ')'
  if (paren == std::string::npos) return {};
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return {};
    if (i == 22) return field;
  }
  return {};
}

// "device:inode" of `path`, "" if it cannot be read.
std::string tree_identity(const std::string& path) {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return {};
  return fmt::format("{}:{}", st.st_dev, st.st_ino);
}

}  // namespace

std::optional<Instance> running_instance(const std::string& sandbox) {
  std::ifstream in(layout::instance(sandbox));
  Instance inst;
  std::string started, tree, root;
  if (!(in >> inst.pid >> started >> inst.view_id) || inst.pid <= 0) return std::nullopt;
  if (start_time(inst.pid) != started) return std::nullopt;
  // The tree's identity, then its path (the rest of the line: it may hold spaces).
  if (in >> tree && std::getline(in >> std::ws, root)) inst.tree_replaced = tree_identity(root) != tree;
  const Activity activity = namespace_activity(inst.pid);
  inst.idle = activity == Activity::Idle;
  inst.unreachable = activity == Activity::Unreachable;
  return inst;
}

void record_instance(const std::string& sandbox, const std::string& view_id, pid_t pid,
                     const std::string& package_root) {
  const std::string tree = tree_identity(package_root);
  const std::string text = tree.empty() ? fmt::format("{} {} {}\n", pid, start_time(pid), view_id)
                                        : fmt::format("{} {} {} {} {}\n", pid, start_time(pid), view_id, tree, package_root);
  // Unsynced: the record names a process, which a crash ends anyway, and the app may
  // be done before a sync would be (running_instance reads a torn or empty record
  // after a crash as no instance).
  write_file_atomic(layout::instance(sandbox), text, 0600, Durability::Unsynced);
}

void forget_instance(const std::string& sandbox, pid_t pid) {
  const std::string path = layout::instance(sandbox);
  std::ifstream in(path);
  pid_t recorded = 0;
  if (!(in >> recorded) || recorded != pid) return;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_sys("cannot remove", path, errno);
}

UniqueFd lock_sandbox(const std::string& sandbox) {
  make_dirs(sandbox, 0700);
  return lock_file(layout::sandbox_lock(sandbox), 0600, LockWait::Block);
}

UniqueFd open_sandbox_lock(const std::string& sandbox) {
  const std::string path = layout::sandbox_lock(sandbox);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw_sys("cannot open lock", path, errno);
  return fd;
}

UniqueFd lock_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing) {
  UniqueFd fd = lock_sandbox(sandbox);
  if (std::optional<Instance> running = running_instance(sandbox)) {
    if (!(running->idle || running->unreachable) || !end_idle_instance(sandbox, *running)) {
      throw Error(Exit::Busy, fmt::format("cannot {}: {} is running (pid {}); close it first", doing, app, running->pid));
    }
  }
  // A launch takes .in-use only while it holds the sandbox's lock, which this holds now:
  // free here means no ptrace launch runs, and none starts until this lets go.
  if (!lock_file(layout::sandbox_in_use(sandbox), 0600, LockWait::Try)) {
    throw Error(Exit::Busy, fmt::format("cannot {}: {} is running (without namespaces, --backend ptrace); close it first", doing, app));
  }
  return fd;
}

UniqueFd hold_sandbox_in_use(const std::string& sandbox) {
  return lock_file(layout::sandbox_in_use(sandbox), 0600, LockWait::Block, LockKind::Shared);
}

uint64_t remove_stopped_sandbox(const std::string& sandbox, const std::string& app, const std::string& doing) {
  UniqueFd lock = lock_stopped_sandbox(sandbox, app, doing);
  const uint64_t bytes = tree_bytes(layout::upper(sandbox));
  const std::string sandboxes = parent_dir(sandbox);
  const std::string aside =
      layout::join(sandboxes, fmt::format("{}{}-{}", layout::kReplacedSandboxPrefix, app, ::getpid()));
  if (::rename(sandbox.c_str(), aside.c_str()) != 0) throw_sys("cannot move aside", sandbox, errno);
  remove_work_dir(aside);
  ::rmdir(sandboxes.c_str());  // only when empty
  return bytes;
}

}  // namespace appv
