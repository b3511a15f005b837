// Applying a mount plan (vfs/view.h) inside a fresh mount namespace, bubblewrap's way:
// a scratch tmpfs becomes the root with the host below it at /oldroot, the new root
// is assembled at /newroot from host paths under /oldroot, then it is pivoted into
// and the host detached.
#pragma once

#include "redirect/namespaces.h"
#include "vfs/view.h"

namespace appv {

// Builds the view and makes it the process's root. Throws Exit::Environment or
// Exit::Io naming the mount that failed, its target and errno.
void enter_view(const Plan& plan, const NamespaceState& ns);

// Every mount point of this mount namespace, for Layout's host_mounts: an overlay's
// lower layer shows none of the mounts below it, and inside a user namespace (which
// inherits them locked) the kernel refuses such a lower outright.
std::vector<std::string> host_mount_points();

// The mount points listed in `mountinfo` (proc(5)'s format: /proc/self/mountinfo for
// the host's), read once: all of them (as host_mount_points()), and those whose file
// system may leave a lookup waiting on a server or a daemon (NFS, CIFS, 9p, FUSE,
// autofs, a type not known to be local), which the launch looks at with a timeout
// (base/bounded_stat.h), the others directly. An unreadable file gives none.
// `kernel`: those of the kernel's own file systems (proc, sysfs, cgroup, devpts, ...)
// out of the place the host's layout gives them (a procfs outside /proc, a sysfs
// outside /sys, a devpts outside /dev, any other outside the three; nsfs never), which
// the plan hides where a tree of the view would show one (a build chroot's /proc below
// /var, as sbuild and pbuilder mount it: vfs/view.h Layout::kernel_mounts).
struct MountPoints {
  std::vector<std::string> all;
  std::vector<std::string> may_wait;
  std::vector<std::string> kernel;
};
MountPoints read_mount_points(const std::string& mountinfo);

// Escapes ',' ':' and '\' for an overlayfs lowerdir/upperdir option value.
std::string escape_overlay_path(const std::string& path);

}  // namespace appv
