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

}  // namespace appv
