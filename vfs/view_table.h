// The view as a table of places, for the namespace-free backend: the same mount plan
// the `ns` backend mounts (vfs/view.h), read as "what the app sees at and below each
// target". The path translator (vfs/path_translator.h) looks paths up in it instead
// of the kernel looking them up in a mount namespace. Pure: building it touches
// nothing on disk.
#pragma once

#include <string>
#include <vector>

#include "vfs/view.h"

namespace appv {

// What the app sees at and below `target`.
struct ViewPlace {
  enum class Kind {
    Layers,   // `layers` stacked, top first, as an overlay (or one bind) shows them
    Symlink,  // a link whose text is `link` (the package's /lib64 -> usr/lib64, /etc/mtab)
    Empty,      // an empty directory the app cannot write (appv's hidden sandboxes)
    EmptyFile,  // an empty file the app cannot write (a hidden kernel file)
  };
  std::string target;
  Kind kind = Kind::Layers;
  // Host directories (or one host file), top first. With `upper`, layers[0] is the
  // sandbox's upper directory: writes are copied up into it and deletions recorded
  // there as whiteouts. Without, writes go to layers[0] itself (merged, host).
  std::vector<std::string> layers;
  bool upper = false;
  bool read_only = false;  // host state, /sys, hidden directories: writes fail with EROFS
  // The kernel's own tree (/proc, /dev/pts): paths below it are the kernel's to
  // resolve in the calling process (/proc/self, the magic links in /proc/PID/fd).
  bool kernel = false;
  std::string link;        // Symlink
};

class ViewTable {
 public:
  // From the plan's ops, in order: a later op at the same target replaces an earlier
  // one, as a later mount covers an earlier. The kernel's own trees (proc, devpts,
  // /dev/shm) become the host's: without namespaces the app sees the host's /proc. A
  // private tmpfs only the app could write (the minimal /dev) is Empty: what the plan
  // binds into it shows, the host's other names there (disks, other devices) do not,
  // and no name is made in it (EROFS). A split (a writecopy directory with host mounts below) is
  // its layers over the host's directory itself: no mount hides what is below it here.
  static ViewTable from_plan(const Plan& plan);

  void add(ViewPlace place);
  // The place whose target is the longest prefix of `path` (a clean absolute path),
  // or nullptr when none is: then `path` is in the view's root, which holds only the
  // directories leading to places (is_root_dir).
  const ViewPlace* covering(const std::string& path) const;
  // The place whose target is `path` itself, or nullptr.
  const ViewPlace* at(const std::string& path) const;
  // True for "/" and each directory on the way to a place's target.
  bool is_root_dir(const std::string& path) const;
  // The names directly in the root directory `path` (is_root_dir), sorted.
  std::vector<std::string> root_children(const std::string& path) const;
  const std::vector<ViewPlace>& places() const { return places_; }

 private:
  std::vector<ViewPlace> places_;  // sorted by target
};

}  // namespace appv
