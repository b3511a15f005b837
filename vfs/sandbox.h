// The sandbox: one per user per app id, under $XDG_DATA_HOME/appv/sandboxes/<app-id>/.
//
//   upper/<virtual path>  what the app created, changed or deleted (overlay upper layers:
//                         deletions are whiteouts, replaced directories are opaque)
//   work/                 overlayfs scratch space
//   state                 the last launch: package digest, id, version, `full` prefixes
//   .instance             the running instance, for later launches to join (launcher)
//   .lock                 serialises launches, resets and imports
//   .empty, .listings     the ptrace backend's: what hidden places show, and which layer
//                         lists each merged directory (vfs/path_translator.h)
//
// It outlives package upgrades: a newer version of the same app id sees the same sandbox.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "vfs/view.h"

namespace appv {

// $XDG_DATA_HOME/appv/sandboxes (else ~/.local/share/appv/sandboxes).
// $XDG_DATA_HOME/appv/sandboxes; Error(Exit::NoPerm) when a directory of that path
// belongs to another user (base/owned_dirs.h).
std::string sandboxes_root();
// sandboxes_root()/<app_id>; throws Exit::Usage if app_id is not a valid id.
std::string sandbox_dir(const std::string& app_id);

struct SandboxState {
  std::string app_id;
  std::string version;
  std::string digest;                   // payload digest of the package last run
  std::vector<std::string> full_prefixes;  // where the host was hidden from the app
  bool operator==(const SandboxState&) const = default;
};

std::optional<SandboxState> read_state(const std::string& sandbox);

// The running instance of an app, as recorded in <sandbox>/.instance by the launch
// that built its view (redirect/instance.h reads and writes it).
struct Instance {
  pid_t pid = 0;
  std::string view_id;  // which package and rules the view shows
  // Nothing of the app runs in it: its init lingers, keeping the view for the next
  // launch (vfs/idle_instance.h), and leaves when asked.
  bool idle = false;
  // Its namespaces are not this process's to enter (it runs in another user namespace,
  // as a launch inside `unshare -U` does): it cannot be joined, and whether it is idle
  // is unknown; asked to leave, it does if it is.
  bool unreachable = false;
  // The package tree its view shows is no longer the one in the cache (removed by hand,
  // or pruned and extracted again): a launch must not join it.
  bool tree_replaced = false;
};
// Writes `state` atomically, and only if it differs from what is there.
void write_state(const std::string& sandbox, const SandboxState& state);

// One line of `appv sandbox diff`: 'A' added, 'M' modified (content, mode or type),
// 'D' deleted, 'R' a directory deleted and recreated (its old content is hidden), '?'
// a directory the app made unreadable (what is below it is not listed).
struct Change {
  char kind;
  std::string path;  // virtual path; directories end in '/'
};

// What the app sees below the sandbox: the package's tree (may be absent from the
// cache) and the host's, except below `full` prefixes.
struct LowerLayers {
  std::string package_root;  // "" if unknown
  std::vector<std::string> full_prefixes;
};

// Walks `<sandbox>/upper` in path order and names every change against the lower layers.
std::vector<Change> sandbox_diff(const std::string& sandbox, const LowerLayers& lower);

// Whether `path` in an upper directory is an overlay whiteout or an opaque directory.
bool is_whiteout(const std::string& path);
bool is_whiteout(const struct stat& st);  // a character device 0:0
bool is_opaque_dir(const std::string& path);
bool is_opaque_dir(int dir_fd);  // the same for an open directory (O_PATH ones too)

// Empties upper/ and work/. With `keep` (a virtual path such as the user's
// $XDG_CONFIG_HOME) that subtree of upper/ survives. The caller holds the lock.
// Removal walks by descriptors (base/tree_walk.h): directories on the way to `keep`
// that the app left without rwx for their owner are made 0700 to be emptied.
void reset_sandbox(const std::string& sandbox, const std::string& keep = {});

// Creates <sandbox>/upper<vpath> and its missing parents, each with the permission
// bits of the directory the app sees there (package's, else host's, else 0755): an
// overlay shows its upper directory's mode, so a fresh upper for /root must not
// turn a 0700 home into 0755.
void make_upper_dirs(const std::string& sandbox, const std::string& vpath, const std::string& package_root);

// Creates every directory a plan needs (vfs/view.h): upper layers as above, work
// directories private.
void make_plan_dirs(const std::string& sandbox, const std::vector<std::string>& dirs, const std::string& package_root);

// The directory that holds `path` (a host path in `sandbox`'s upper directory), opened
// (O_PATH | O_DIRECTORY) below the upper directory with no link on the way
// (base/resolve.h NoSymlinks): the app shapes upper/, in a ptrace launch even while
// another launch starts. Throws Exit::BadInput where a link or a non-directory is on
// the way, Exit::Internal for a path outside the upper directory.
UniqueFd open_upper_parent(const std::string& sandbox, const std::string& path);

// Makes each of a plan's whiteouts (vfs/view.h) where the sandbox's upper directory
// has nothing at its path yet: the parents as make_upper_dirs makes them, then the
// whiteout in the parent open_upper_parent opens. Whatever is there already is the
// app's own and stays.
// Throws Exit::BadInput where a link or a non-directory is on the way, and
// Exit::Environment where the kernel refuses the whiteout (Linux < 5.8 makes
// unprivileged users need CAP_MKNOD for one).
void make_plan_whiteouts(const std::string& sandbox, const std::vector<Whiteout>& whiteouts, const std::string& package_root);

}  // namespace appv
