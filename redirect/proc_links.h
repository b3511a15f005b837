// /proc's magic links, as the ptrace backend's supervisor must read them for a
// traced process. Without namespaces the kernel resolves /proc/self/root,
// /proc/self/cwd and /proc/self/fd/N to HOST paths, past the view: reading a file a
// `full` place hides, or writing a host file a writecopy place would copy up. The
// supervisor names instead what the app sees there: the view's root, its working
// directory and its open files in the view.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "vfs/path_translator.h"

namespace appv {

struct ProcLink {
  bool is_link = false;   // false: not such a link, the path stands as given
  int error = 0;          // the call fails with it (EACCES: no view path for it)
  std::string view_path;  // is_link and no error: the same path in the view
  bool whole = false;     // the path is the link itself, nothing named below it
  // What readlink(2) of the link shows the app (whole links only): the view path, "/"
  // for root, a deleted file's view path with " (deleted)" as the kernel appends it;
  // "" where the kernel's own answer stands (a file in no layer: it was not opened
  // through the view).
  std::string shown;
};

// For the traced process `pid`: `path` (absolute, as the app or a link in the view
// names it) of the form /proc/{self,thread-self,PID}[/task/TID]/{root,cwd,fd/N}[/REST].
// `self` is `pid`; another PID must be a process this supervisor traces, else EACCES
// (its root is the host's). An fd that names no file (pipe, socket) is not a link
// here: the kernel opens the same pipe. A file or directory whose host path lies in
// no layer of the view (a hidden place, a deleted file) is EACCES; a directory of the
// view's root stands for itself, as the translator answers it.
ProcLink resolve_proc_link(pid_t pid, const std::string& path, const PathTranslator& view);

// True for a view path the kernel's /proc would let a root app change on the whole
// host: /proc/sys (kernel settings), /proc/sysrq-trigger. Writes there are EROFS,
// as a read-only /proc/sys is in containers.
bool is_host_kernel_setting(const std::string& view_path);

// True for the host path of a process's memory map listing: /proc/PID/maps or
// smaps, or the same below /proc/PID/task/TID (the caller's /proc/self already
// resolved to its pid).
bool is_maps_file(const std::string& real);

// The text of a /proc/PID/maps or smaps file (proc(5): "address perms offset dev
// inode pathname", smaps adding its "Key: value" lines) with each mapped file's host
// path replaced by `view_of(path)` where that is neither empty nor the same, as the
// kernel would show it inside the view: the app's libraries at their original paths,
// not in the cache. " (deleted)" after a path is kept. Every other byte is kept.
std::string maps_in_view(std::string_view text, const std::function<std::string(const std::string&)>& view_of);

}  // namespace appv
