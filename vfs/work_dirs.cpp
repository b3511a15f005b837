#include "vfs/work_dirs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/text.h"
#include "base/unique_fd.h"
#include "vfs/layout.h"

namespace appv {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// One of the work sandboxes' names (.unremovable- taken off).
bool work_name(const std::string& name) {
  for (std::string_view prefix : {layout::kTempSandboxPrefix, layout::kCaptureSandboxPrefix,
                                  layout::kImportSandboxPrefix, layout::kReplacedSandboxPrefix}) {
    if (starts_with(name, prefix)) return true;
  }
  return false;
}

// The pid a work sandbox's name ends with; 0 if it ends with none.
pid_t named_pid(const std::string& name) {
  const std::string digits = name.substr(name.find_last_of('-') + 1);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::strtol(digits.c_str(), nullptr, 10));
}

bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Whether something holds the lock of the work sandbox `name` in `sandboxes`. A lock
// found free is taken into `taken` (kept while the caller removes the sandbox). The
// lock file is only opened, never created (a directory about to be removed gets no
// new file), without following a link and without blocking (a FIFO planted there does
// not hang the sweep); one that is missing or not a regular file holds nothing. A
// lock that cannot be tried counts as held: keeping a leftover is the safe mistake.
bool lock_held(int sandboxes, const std::string& name, UniqueFd& taken) {
  UniqueFd dir(::openat(sandboxes, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return false;
  UniqueFd lock(::openat(dir.get(), std::string(layout::kLock).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st;
  if (!lock || ::fstat(lock.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return true;
  taken = std::move(lock);
  return false;
}

}  // namespace

void remove_stale_work_dirs(const std::string& sandboxes, Reporter& reporter) {
  UniqueFd root(::open(sandboxes.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    if (errno == ENOENT) return;
    throw_sys("cannot open", sandboxes, errno);
  }
  // One sweep at a time: two removing one leftover would each meet the other's
  // half-removed directories. The one that is running does the work.
  if (::flock(root.get(), LOCK_EX | LOCK_NB) != 0) return;
  for (const std::string& name : entry_names(root.get(), sandboxes)) {
    const bool reported = starts_with(name, layout::kUnremovablePrefix);
    if (!work_name(reported ? name.substr(layout::kUnremovablePrefix.size()) : name)) continue;
    UniqueFd lock;
    if (lock_held(root.get(), name, lock) || alive(named_pid(name))) continue;
    const std::string dir = layout::join(sandboxes, name);
    try {
      if (reported) remove_tree(dir);
      else remove_work_dir(dir);
    } catch (const Error& e) {
      if (!reported) reporter.warning(printable_message(e.what()));
    }
  }
}

void remove_work_dir(const std::string& dir) {
  try {
    remove_tree(dir);
  } catch (const Error& e) {
    const std::string name = dir.substr(dir.find_last_of('/') + 1);
    const std::string aside = layout::join(parent_dir(dir), std::string(layout::kUnremovablePrefix) + name);
    if (starts_with(name, layout::kUnremovablePrefix) || ::rename(dir.c_str(), aside.c_str()) != 0) throw;
    throw Error(e.code(), fmt::format("{}; what is left is in '{}' (appv tries again at later --temp launches)", e.what(), aside),
                e.op(), e.path(), e.err());
  }
}

void remove_work_dir(const std::string& dir, Reporter& reporter) {
  try {
    remove_work_dir(dir);
  } catch (const Error& e) {
    reporter.warning(printable_message(e.what()));  // names the app chose, escaped
  }
}

}  // namespace appv
