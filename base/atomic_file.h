// Write-beside-then-rename: appv's one way to replace a file so that readers (and a
// crash) see either the old file or the complete new one, never a torn one.
#pragma once

#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace appv {

// What commit() promises beyond atomicity. Synced: the file and its directory are
// fsynced, so after a crash the new file is there, whole. Unsynced: readers see the
// old file or the whole new one, but a crash may leave either, or (on file systems
// that delay allocation) an empty file; for records that every launch writes anew
// and that readers check against the running system (the running instance, the
// host-state files of a view), where an fsync would only make each launch wait for
// the disk.
enum class Durability { Synced, Unsynced };

// A temporary file ".NAME.appv-tmp-PID-RANDOM" beside `path`, created O_EXCL|O_CLOEXEC|
// O_NOFOLLOW (so never through a symlink planted at its name) with mode 0600. Write to
// fd(), then commit(): fchmod to `mode` (exactly, past the umask), fsync, rename over
// `path`, fsync the directory. Until commit() succeeds the destructor (or a moved-to
// owner's) removes the temporary file, and so does a terminating signal where the
// command installed base/fatal_signal_cleanup.h's handler: a failure leaves `path` as
// it was and nothing beside it. Errors are Exit::Io with op, path and errno set.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  // As above, but the temporary and `name` (a plain file name) are resolved in the
  // open directory `dir_fd` (borrowed: it must outlive this object), so a directory
  // renamed or replaced after the caller judged it cannot redirect the file; `path`
  // only names it in messages and for the signal handler's removal.
  AtomicFile(int dir_fd, std::string name, std::string path);
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const noexcept { return fd_.get(); }
  const std::string& temp_path() const noexcept { return temp_; }
  const std::string& path() const noexcept { return path_; }

  // `rename_op` words a failed rename in the message ("cannot replace", ...).
  void commit(unsigned mode, std::string_view rename_op = "cannot rename into place",
              Durability durability = Durability::Synced);
  // As commit(), but never over an existing `path` (renameat2 RENAME_NOREPLACE, or
  // link(2) where the file system lacks it): one there, whatever it is (a link
  // included), fails with Exit::CantCreate and EEXIST, the temporary removed. The file
  // is always fsynced; Unsynced leaves the directory's fsync to the caller (sync_dir()),
  // who commits several files and then syncs them once, undoing all if that fails.
  void commit_new(unsigned mode, Durability durability = Durability::Synced);
  // fsyncs the directory the file is (to be) in. Errors are Exit::Io.
  void sync_dir() const;

 private:
  void committed();

  int dir_fd_;         // AT_FDCWD for a path-based file
  std::string name_;   // resolved in dir_fd_: `path` itself for a path-based file
  std::string path_;
  std::string temp_name_;  // resolved in dir_fd_; empty once committed or moved from
  std::string temp_;       // the temporary's full path, for messages and the signal handler
  UniqueFd fd_;
  int cleanup_slot_ = -1;  // base/fatal_signal_cleanup.h
};

// Removes the temporaries that AtomicFiles for `path` left when their process was
// killed outright (SIGKILL, a crash, power loss): ".NAME.appv-tmp-PID-*" files of
// this user whose PID no longer runs. A PID that runs again (reused) keeps its file.
// Returns how many were removed; errors are ignored (a stale file is only space).
int remove_stale_temporaries(const std::string& path);

}  // namespace appv
