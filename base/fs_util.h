// Small file-system helpers shared by the package, cache and view code. Each reports
// the failing call, the path and errno.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/atomic_file.h"
// remove_tree and tree_bytes: trees someone else shapes, walked by descriptors.
#include "base/tree_walk.h"
#include "base/unique_fd.h"

namespace appv {

// pread exactly `size` bytes at `offset`; a short read is Exit::BadInput (truncated).
std::vector<uint8_t> read_exact_at(int fd, uint64_t offset, uint64_t size, const std::string& path);
// write(2) all of `size` bytes, retrying on EINTR and short writes.
void write_all(int fd, const void* data, size_t size, const std::string& path);
// True if something (of any type, links not followed) is at `path`.
bool path_exists(const std::string& path);
// mkdir -p with `mode` for the directories it creates.
void make_dirs(const std::string& path, unsigned mode = 0755);
// A file name as it may appear in a one-line message: bytes that are not printable
// ASCII shown as \xNN, and long names shortened in the middle.
std::string shown_name(const std::string& name);

// Writes `content` to `path` atomically (base/atomic_file.h: synced, renamed, the
// directory synced; only renamed when Unsynced). On failure the temporary file is
// removed and `path` is as it was.
void write_file_atomic(const std::string& path, const std::string& content, unsigned mode = 0644,
                       Durability durability = Durability::Synced);

// Copies the first `size` bytes of `in` to the current offset of `out` with
// copy_file_range (which shares extents where the file system can). `path` names
// the source in errors.
void copy_bytes(int in, int out, uint64_t size, const std::string& path);

// Copies the file `from` to `to` atomically (base/atomic_file.h). On failure `to` is
// as it was and nothing else is left.
void copy_file_atomic(const std::string& from, const std::string& to, unsigned mode);
// The same from an open file (`from` names it in errors), copied from its start.
void copy_file_atomic(int from_fd, const std::string& from, const std::string& to, unsigned mode);

// Names in `dir` (no "." or ".."), sorted; empty if it does not exist.
std::vector<std::string> list_dir(const std::string& dir);
// The directory holding `path` ("." for a bare name).
std::string parent_dir(const std::string& path);
// fsync a directory, so a rename inside it is durable.
void sync_dir(const std::string& path);

// Runs `body` with `dir` as its working directory (libarchive's secure extraction
// wants names relative to the destination) and leaves the process's own as it was:
// `body` runs on a thread with filesystem attributes of its own (unshare(CLONE_FS)),
// because a caller may sit in a directory it could not enter again (`sudo -u USER` from
// root's home: no search right on it). Where unshare is refused (a container's seccomp
// profile), the process enters `dir` and returns afterwards, which needs the current
// directory to be openable. What `body` throws is thrown here; Exit::Io when `dir` cannot
// be entered.
void run_in_directory(const std::string& dir, const std::function<void()>& body);

}  // namespace appv
