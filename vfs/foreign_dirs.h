// Host directories an unprivileged overlay cannot copy up, found before the view is
// built.
//
// Inside a user namespace that maps only the caller's ids (redirect/namespaces.cpp),
// overlayfs copies a directory up with its owner and group; for a directory another
// id owns (/var/tmp, 1777 root:root; /usr/local, 2775 root:staff for a member of
// staff; /var/www owned by root above the caller's /var/www/html) the copy's chown
// fails with EOVERFLOW, so a write the host's modes allow fails in the view. The
// cure is the one appv already uses for the host-state mount points: the directory
// exists in the upper layer beforehand, the caller's, with the host's mode, and the
// overlay merges it with the host's.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace appv {

struct MountOp;

// The ids the view's user namespace maps, and the groups whose members the kernel
// still lets through a group's permission bits there.
struct CallerIds {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
  static CallerIds of_this_process();
};

// A directory below a host directory and the permission bits (07777) it has there.
struct ForeignDir {
  std::string relative;  // "tmp" or "www/html": no leading '/'
  mode_t mode = 0;
};

// Looks at `host_dir`/`below` itself (unless `below` is empty) and to `depth`
// levels under it (1: its children) for directories `ids` may create entries in (by
// their permission bits; an ACL alone that opens one is not read) which are, or lie
// below, a directory owned by an id the namespace does not map. Returns each such
// directory and every one between it and `host_dir`, parents first, once each,
// relative to `host_dir`. Not descended into: a directory that cannot be read, one
// others may write into (what lies below /var/tmp is any user's to make), a link.
// At most 4096 directories are looked at. Never throws.
std::vector<ForeignDir> find_foreign_dirs(const std::string& host_dir, const std::string& below, int depth,
                                          const CallerIds& ids);

// For each writecopy overlay over a host directory in `ops`: makes the upper
// directories find_foreign_dirs names where the FHS puts writable directories (two
// levels below /var, /opt and /srv; /usr/local and its children). Each is made only
// where the view would show the host's directory: not below something the app
// deleted or replaced in its sandbox (a whiteout, an opaque directory, a link, a
// file), nor where the package has a non-directory. Made through descriptors opened
// O_NOFOLLOW from the upper layer's top, which another launch's app may be changing.
// Best effort, never throws: a directory that cannot be made (an upper directory the
// app made read-only, a full disk) is left to overlayfs, whose copy-up then fails the
// write as it would have.
//
// What the made directories change in the view, besides the writes they allow: they
// are the user's (so a sticky directory's other entries may be deleted, or rather
// hidden, by the app: only its sandbox changes), they keep the mode the host had when
// they were made, and they stay when the host's go (the view then shows an empty
// directory there, and `sandbox diff` lists it).
void make_foreign_dirs_upper(const std::vector<MountOp>& ops, const std::string& package_root, const CallerIds& ids);

}  // namespace appv
