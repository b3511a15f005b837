// An lstat that gives up: a mount whose server or FUSE daemon no longer answers (a
// hard NFS mount of a server that is down, a hung sshfs) blocks every lookup of it
// for good, and a launch that looks at the host's mount points must not hang with it.
#pragma once

#include <sys/stat.h>

#include <string>

namespace appv {

// lstat(2) of `path`, made by a child process so that the caller can stop waiting:
// returns 0 (with `st` filled), lstat's errno, or ETIMEDOUT when no answer came within
// `timeout_ms` milliseconds (the child is then killed: the kernel's waits for a FUSE
// or NFS answer end on SIGKILL). Errors of fork(2) or pipe(2) are returned as well.
int lstat_within(const std::string& path, struct stat& st, int timeout_ms);

}  // namespace appv
