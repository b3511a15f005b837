// Small file-system helpers shared by the package, cache and view code. Each reports
// the failing call, the path and errno.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace appv {

// pread exactly `size` bytes at `offset`; a short read is Exit::BadInput (truncated).
std::vector<uint8_t> read_exact_at(int fd, uint64_t offset, uint64_t size, const std::string& path);
// write(2) all of `size` bytes, retrying on EINTR and short writes.
void write_all(int fd, const void* data, size_t size, const std::string& path);
// True if something (of any type, links not followed) is at `path`.
bool path_exists(const std::string& path);
// mkdir -p with `mode` for the directories it creates.
void make_dirs(const std::string& path, unsigned mode = 0755);
// rm -rf that also removes trees holding read-only directories. Never follows symlinks.
// Missing paths are fine.
void remove_tree(const std::string& path);
// The directory holding `path` ("." for a bare name).
std::string parent_dir(const std::string& path);
// fsync a directory, so a rename inside it is durable.
void sync_dir(const std::string& path);

}  // namespace appv
