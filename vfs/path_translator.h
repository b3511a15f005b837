// The namespace-free backend's view: where a path the app names lies on the host,
// answered from the view table (vfs/view_table.h) and the layers on disk, the way the
// kernel would answer it in the `ns` backend's mount namespace. Symlinks resolve
// inside the view (an absolute link in the package leads into the view, never onto
// the host), `..` walks the view's directories across layers, whiteouts and opaque
// directories in the sandbox's upper directory hide what lies below them.
//
// Writes keep the overlay's on-disk format, so `appv sandbox diff`, export and reset
// read the same upper directory under either backend: a file written in a writecopy or
// full place is first copied up (data, mode, times), a lower entry deleted there
// leaves a whiteout (a 0:0 character device, which an unprivileged user may create
// since Linux 5.8), a directory made where a lower one was deleted is opaque.
//
// Not thread-safe: one translator per supervisor thread. The directories it resolved
// are cached until the next call that changes the view (write, create, delete).
#pragma once

#include <sys/stat.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vfs/tree_index.h"
#include "vfs/view.h"
#include "vfs/view_table.h"

namespace appv {

// What the calling system call will do with the path.
enum class Intent {
  Lookup,  // stat, access, readlink, open for reading, exec, chdir, list
  Write,   // open for writing, truncate, chmod, utimes: an existing file is copied up
  Create,  // open O_CREAT, mknod, symlink's and link's new name: lands in upper
  MakeDir, // mkdir: as Create; over a deleted lower directory the translator makes it, opaque
  Delete,  // unlink, rmdir: a lower entry is hidden by a whiteout
};

struct Translation {
  int error = 0;           // errno the call fails with (ENOENT, ENOTDIR, ELOOP, EROFS, EIO); 0: use `real`
  std::string real;        // the host path the call is made on
  std::string view_path;   // the path resolved in the view, links followed as asked
  NodeKind kind = NodeKind::Absent;  // what is there (Absent for a create)
  // The translator itself did what the call asks, and the call must succeed without
  // touching `real`: Delete recorded a whiteout over a lower entry (the upper copy
  // removed); MakeDir made an opaque directory where a lower one had been deleted.
  bool done = false;
  // A Lookup's lstat(2) of `real`, made on the way (links not followed at `real`):
  // a stat of the path may answer with it rather than ask the kernel again.
  bool have_stat = false;
  struct stat st {};
};

// Host paths that stand for the view's hidden places: an empty directory (appv's
// sandboxes, a kernel file system's mount) and an empty file (a kernel file bound onto
// a file). The app must not be able to write either through the view (it cannot: the
// places are read-only).
struct HiddenStandIns {
  std::string dir;
  std::string file;
};

class PathTranslator {
 public:
  // `root_xattrs`: opaque directories are marked as the `ns` backend's overlay would
  // mark them for this caller: trusted.overlay.opaque as root, user.overlay.opaque in
  // a user namespace (both are read). `hidden`: what the view's hidden places show.
  // `listings_dir`: a directory the translator fills with stand-ins for merged
  // directories (below), "" for none.
  PathTranslator(ViewTable table, HiddenStandIns hidden, bool root_xattrs, std::string listings_dir = {});

  // `path` is absolute in the view (the caller joins a relative one to the view path
  // of the working directory or dirfd). `follow_final`: false for lstat, readlink,
  // O_NOFOLLOW, unlink and the like. Never throws: failures are `error`.
  // `mode`: MakeDir's permission bits (umask applied by the caller).
  Translation translate(const std::string& path, Intent intent, bool follow_final = true, unsigned mode = 0755);

  // The view path of a host path in one of the view's layers (what /proc/PID/fd/N or
  // /proc/PID/cwd of the app shows), "" when it is in none.
  std::string view_path_of(const std::string& real) const;

  // True when the host path `real` (what an open descriptor of the app names) is in
  // a layer the app may not change through it: below a sandbox's upper directory
  // (the package's tree, the host's under writecopy) or in a read-only place. A
  // change through such a descriptor (fchmod, fchown, futimens, fsetxattr) would
  // reach the package or the host, where a path's change is copied up first.
  bool in_protected_layer(const std::string& real) const;

  // The merged listing of the view's directory `path` (links followed): every layer's
  // names, upper first, less whiteouts and what an opaque directory hides, plus the
  // places mounted directly in it. Sorted by name. Empty with `error` set when `path`
  // is not a directory.
  struct Listing {
    int error = 0;
    std::vector<std::pair<std::string, NodeKind>> entries;
  };
  Listing list(const std::string& path);

  // A directory whose view listing is not its topmost layer's (layers merged, entries
  // deleted, places mounted in it) has no host directory the kernel could list. A
  // Lookup of it then answers with a stand-in in `listings_dir`: a directory holding
  // an empty entry of the same kind per name, with the top layer's mode and times,
  // so that getdents lists the view and stat and fstat of the opened directory agree
  // (find compares them). Names looked up through it (openat on its fd) map back to
  // the view (view_path_of). Made once per directory until the view changes.
  // Returns `real` unchanged when no stand-in is needed or possible.
  std::string listing_stand_in(const std::string& view_path, const std::string& real);

  // Which layer lists a merged directory (listing_stand_in) is kept across launches
  // in `file` (the sandbox's .listings): the package's tree never changes, and the
  // host's and the sandbox's directories are checked by their inode and change time
  // (a directory's ctime moves with every entry made, removed or renamed in it), so
  // a later launch reads no layer's listing for a directory that did not change.
  // Decisions younger than a second are not kept (a change within the clock's tick
  // would not show). Reads `file` now (a missing or unreadable one is no memory);
  // save_listing_memory() writes it back if it learnt something, atomically.
  void use_listing_memory(std::string file);
  void save_listing_memory() const;

  // The package's extracted tree `root` and its index (vfs/tree_index.h): a lookup in
  // a layer at or below `root` asks the index instead of the disk (no lstat), and
  // such a layer directory's stamp is a constant, the tree never changing. Its
  // entries then carry no stat (Translation::have_stat false): the calls that answer
  // with one make it.
  void use_tree_index(std::string root, std::shared_ptr<const TreeIndex> index);

  const ViewTable& table() const { return table_; }

  // A supervisor that makes the app's calls with the app's rights (root without
  // capabilities) lends the translator the one capability it keeps permitted
  // (CAP_SYS_ADMIN, redirect/app_rights.h) around what only the translator does:
  // reading and setting trusted.overlay.opaque, as a root overlay marks a directory.
  // Everything else the translator does for a call (copy-up, whiteouts, directories
  // made in the upper layer) it does with the app's rights, so that a copy-up passes
  // no check the app would fail. `lend(true)` raises it, `lend(false)` drops it again.
  // Unset: the translator runs with what it has.
  void set_lender(std::function<void(bool)> lend) { lend_ = std::move(lend); }

 private:
  // A directory of the view, resolved: the place it is in (nullptr: the view's root,
  // which holds only the ways to places), its path below the place's target, and the
  // layers that contribute to its listing, top first.
  struct Dir {
    std::string view;
    const ViewPlace* place = nullptr;
    std::string rel;
    std::vector<size_t> layers;
    std::string stamps;  // each layer directory's device, inode and ctime, as resolved
  };
  // A name in a directory: what is there and in which layer (the topmost holding it).
  struct Entry {
    NodeKind kind = NodeKind::Absent;
    const ViewPlace* place = nullptr;
    size_t layer = 0;
    std::string real;
    std::string link;          // a Symlink place's text
    bool place_root = false;   // a place's own target
    bool have_stat = false;    // `st` is lstat(real)
    struct stat st {};
  };
  Dir make_root_dir() const;
  Entry lookup(const Dir& dir, const std::string& name) const;
  // The directory resolved, in the cache (dirs_, or root_ for "/"): valid until
  // forget_resolved(). nullptr if it is none.
  const Dir* resolve_dir(const std::string& view_path);
  const Dir* resolve_dir(const Dir& parent, const std::string& name, const Entry& e);
  Translation walk(const std::string& path, bool follow_final, Dir& parent, Entry& entry, std::string& name);
  int copy_up_dir(const Dir& dir);
  int copy_up_file(const Dir& parent, const std::string& name, const Entry& entry);
  int make_place_upper(const ViewPlace& place, const Entry& shown);
  int record_deletion(const Dir& parent, const std::string& name, const Entry& entry);
  void forget_resolved();  // after a change to the view: cached directories and stand-ins
  bool remember_now(const Dir& dir) const;
  class Lent;
  bool opaque_dir(const std::string& dir);
  int mark_opaque(const std::string& dir, const char* xattr);  // 0 or an errno

  // Whether the app (this process's user, without capabilities) may change the lower
  // file `real` that a write would copy up: write permission, or owning it (chmod,
  // utime with times). 0 or the errno the call fails with, as overlayfs answers.
  static int may_change(const std::string& real);
  // What the index says `real` is: nullopt if `real` is not in the indexed tree (or
  // there is no index), '\0' if the tree has no such entry, else its kind letter.
  std::optional<char> indexed(const std::string& real) const;

  ViewTable table_;
  std::string empty_dir_;
  std::string empty_file_;
  bool root_xattrs_;
  std::string listings_dir_;
  std::unordered_map<std::string, std::string> stand_ins_;  // view path -> stand-in, until the view changes
  std::map<std::string, std::string> stand_in_view_;  // stand-in -> view path (kept: fds stay open)
  unsigned stand_in_count_ = 0;
  // Resolved directories by view path. Node-based: an entry stays where it is while
  // others are added, so a walk holds pointers into it.
  std::unordered_map<std::string, Dir> dirs_;
  // The listing memory (use_listing_memory): view path -> the layer that lists it, and
  // the stamps of the directory's layers when that was found.
  struct Remembered {
    std::string layer_real;
    std::string stamps;
  };
  std::function<void(bool)> lend_;
  bool lent_ = false;
  std::string memory_file_;
  std::map<std::string, Remembered> remembered_;
  bool memory_changed_ = false;
  std::string index_root_;
  std::shared_ptr<const TreeIndex> index_;
  std::string index_stamp_;  // the stamp of a directory of the indexed tree
  Dir root_;  // the view's root, resolved once (the table does not change)
};

}  // namespace appv
