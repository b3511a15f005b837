// An lstat that gives up: a mount whose server or FUSE daemon no longer answers (a
// hard NFS mount of a server that is down, a hung sshfs) blocks every lookup of it
// for good, and a launch that looks at the host's mount points must not hang with it.
#pragma once

#include <sys/stat.h>

#include <string>

namespace appv {

// lstat(2) of `path`, made by an orphaned grandchild so that the caller can stop
// waiting and never has to reap a process the mount holds: returns 0 (with `st`
// filled), lstat's errno, or ETIMEDOUT when no answer came within `timeout_ms`
// milliseconds (the looker is then sent SIGKILL, which ends the kernel's waits for an
// NFS server or for a FUSE daemon that has not yet read the request; one that has read
// it keeps the looker until the daemon answers or dies). Errors of fork(2) or pipe(2)
// are returned as well, EIO when the looker died without answering. The caller must
// not be a child subreaper (prctl PR_SET_CHILD_SUBREAPER): the orphan would be its.
int lstat_within(const std::string& path, struct stat& st, int timeout_ms);

}  // namespace appv
