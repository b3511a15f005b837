// What /proc says about a traced process, as the supervisor reads it.
#pragma once

#include <sys/types.h>

#include <string>

namespace appv {

// The text of the link `path` (/proc/PID/fd/N, /proc/PID/cwd) into `out`; false with
// `err` set (readlink's errno, ENAMETOOLONG for a text that fills a page: a path cut
// short would name another file) when it cannot be read whole.
bool read_link(const std::string& path, std::string& out, int& err);
// The same, "" when it cannot be read whole.
std::string read_link(const std::string& path);

// A decimal field of /proc/PID/status ("Tgid", "PPid"), -1 if unreadable.
pid_t status_field(pid_t pid, const std::string& field);

// The process's umask (/proc/PID/status "Umask", Linux 4.7), 022 if unreadable.
mode_t umask_of(pid_t pid);

// Whether the absolute host path `real` (as the kernel would resolve it: ".." and
// links too, each parent looked at with statfs as the supervisor opens it) passes
// through a process directory of the caller's own thread group in a procfs mounted
// anywhere: /proc/PID or /proc/TID of one of its threads, /proc/self or
// /proc/thread-self. A process may open its own /proc/PID/mem, environ and fd/N
// whatever its dumpable flag: the supervisor must never open such a path, nor read
// or stat one, for the app (redirect/notified_calls.cpp). A component is looked at
// only where its parent is a procfs's root (statfs: PROC_SUPER_MAGIC, inode 1), so a
// path without a numeric or self component costs no system call.
bool passes_through_own_proc(const std::string& real);

// Whether the open file `fd` is in a procfs and below a process directory of the
// caller's own thread group (its path in /proc/self/fd, as passes_through_own_proc
// judges it): for an open reached through a link the path did not show.
bool is_own_proc_file(int fd);

}  // namespace appv
