#include "vfs/path_translator.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <cerrno>
#include <ctime>
#include <deque>
#include <fstream>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "base/resolve.h"
#include "base/unique_fd.h"
#include "manifests/paths.h"
#include "vfs/sandbox.h"

namespace appv {
namespace {

constexpr int kMaxLinks = 40;  // the kernel's limit on links in one lookup

std::string join_path(const std::string& dir, const std::string& name) {
  if (name.empty()) return dir;
  return dir == "/" ? "/" + name : dir + "/" + name;
}

NodeKind kind_of(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return NodeKind::Dir;
  if (S_ISREG(st.st_mode)) return NodeKind::File;
  if (S_ISLNK(st.st_mode)) return NodeKind::Symlink;
  return NodeKind::Other;
}

NodeKind kind_of(unsigned char d_type) {
  switch (d_type) {
    case DT_DIR: return NodeKind::Dir;
    case DT_REG: return NodeKind::File;
    case DT_LNK: return NodeKind::Symlink;
    default: return NodeKind::Other;
  }
}

bool opaque(const std::string& dir) {
  char v[2];
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    if (::lgetxattr(dir.c_str(), name, v, sizeof v) == 1 && v[0] == 'y') return true;
  }
  return false;
}

std::string read_link_text(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The view path's parent ("/" for a name in the root).
std::string parent_path(const std::string& view) {
  const size_t slash = view.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : view.substr(0, slash);
}

std::string layer_path(const ViewPlace& place, size_t layer, const std::string& rel) {
  return rel.empty() ? place.layers[layer] : place.layers[layer] + "/" + rel;
}

// An absolute path with no empty, "." or ".." component and no trailing slash: its
// prefixes are view paths as a walk names them (the keys of the directory cache).
bool plain_path(const std::string& path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/') return false;
  for (size_t at = 0; at != std::string::npos;) {
    const size_t next = path.find('/', at + 1);
    const size_t length = next == std::string::npos ? std::string::npos : next - at - 1;
    const std::string_view part = std::string_view(path).substr(at + 1, length);
    if (part.empty() || part == "." || part == "..") return false;
    at = next;
  }
  return true;
}

// What identifies a directory's state: device, inode, ctime (ns).
std::string stamp(const struct stat& st) {
  return fmt::format("{}.{}.{}.{} ", st.st_dev, st.st_ino, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

// One layer's directory as read: its names (whiteouts apart), sorted, and its whiteouts.
struct LayerListing {
  std::vector<std::pair<std::string, NodeKind>> names;
  std::vector<std::string> whiteouts;
};

LayerListing read_layer(const std::string& real) {
  LayerListing out;
  DIR* d = ::opendir(real.c_str());
  if (!d) return out;
  while (const dirent* de = ::readdir(d)) {
    const char* n = de->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    if (de->d_type == DT_CHR && is_whiteout(real + "/" + n)) {
      out.whiteouts.emplace_back(n);
      continue;
    }
    out.names.emplace_back(n, kind_of(de->d_type));
  }
  ::closedir(d);
  std::sort(out.names.begin(), out.names.end());
  return out;
}

// The directory's view listing from its layers' (top first): the topmost name wins, a
// whiteout hides the name in the layers below it.
std::map<std::string, NodeKind> merge_layers(const std::vector<LayerListing>& layers) {
  std::map<std::string, NodeKind> names;
  std::set<std::string> hidden;
  for (const LayerListing& l : layers) {
    for (const auto& [n, kind] : l.names) {
      if (!hidden.count(n)) names.emplace(n, kind);
    }
    hidden.insert(l.whiteouts.begin(), l.whiteouts.end());
  }
  return names;
}


}  // namespace

void PathTranslator::forget_resolved() {
  dirs_.clear();
  stand_ins_.clear();
}

PathTranslator::PathTranslator(ViewTable table, HiddenStandIns hidden, bool root_xattrs, std::string listings_dir)
    : table_(std::move(table)),
      empty_dir_(std::move(hidden.dir)),
      empty_file_(std::move(hidden.file)),
      root_xattrs_(root_xattrs),
      listings_dir_(std::move(listings_dir)),
      root_(make_root_dir()) {}

PathTranslator::Dir PathTranslator::make_root_dir() const {
  Dir d;
  d.view = "/";
  d.place = table_.covering("/");
  if (d.place) {
    for (size_t i = 0; i < d.place->layers.size(); ++i) d.layers.push_back(i);
  }
  return d;
}

// What stands at `name` in `dir`: a place mounted there wins, as a mount covers what
// is below it; else the topmost of the directory's contributing layers holding it.
PathTranslator::Entry PathTranslator::lookup(const Dir& dir, const std::string& name) const {
  Entry e;
  const std::string view = join_path(dir.view, name);
  // What covers a name is a place mounted at it, else what covers its directory.
  if (const ViewPlace* place = table_.at(view)) {
    e.place = place;
    e.place_root = true;
    switch (place->kind) {
      case ViewPlace::Kind::Symlink:
        e.kind = NodeKind::Symlink;
        e.link = place->link;
        return e;
      case ViewPlace::Kind::Empty: e.kind = NodeKind::Dir; return e;
      case ViewPlace::Kind::EmptyFile: e.kind = NodeKind::File; return e;
      case ViewPlace::Kind::Layers: break;
    }
    for (size_t i = 0; i < place->layers.size(); ++i) {
      struct stat st;
      if (::lstat(place->layers[i].c_str(), &st) != 0) continue;
      e.st = st;
      e.have_stat = true;
      e.kind = kind_of(st);
      e.layer = i;
      e.real = place->layers[i];
      return e;
    }
    // A place whose layers are all missing still stands (an empty mount point).
    e.kind = NodeKind::Dir;
    return e;
  }
  if (!dir.place) {
    if (table_.is_root_dir(view)) e.kind = NodeKind::Dir;
    return e;
  }
  e.place = dir.place;
  if (dir.place->kind == ViewPlace::Kind::Empty) return e;
  const std::string rel = dir.rel.empty() ? name : dir.rel + "/" + name;
  for (size_t i : dir.layers) {
    const std::string real = layer_path(*dir.place, i, rel);
    if (const std::optional<char> k = indexed(real)) {
      if (*k == '\0') continue;
      if (*k == 'w') return e;  // deleted: absent, whatever lies below
      e.kind = indexed_kind(*k);
      e.layer = i;
      e.real = real;
      return e;
    }
    struct stat st;
    if (::lstat(real.c_str(), &st) != 0) continue;
    if (is_whiteout(st)) return e;  // deleted: absent, whatever lies below
    e.st = st;
    e.have_stat = true;
    e.kind = kind_of(st);
    e.layer = i;
    e.real = real;
    return e;
  }
  return e;
}

// Resolves the view directory `view_path` (symlink-free, as a walk leaves it) from
// its parent, caching the result.
const PathTranslator::Dir* PathTranslator::resolve_dir(const std::string& view_path) {
  if (view_path == "/") return &root_;
  if (auto it = dirs_.find(view_path); it != dirs_.end()) return &it->second;
  const Dir* parent = resolve_dir(parent_path(view_path));
  if (!parent) return nullptr;
  const std::string name = view_path.substr(view_path.rfind('/') + 1);
  return resolve_dir(*parent, name, lookup(*parent, name));
}

// The directory `e` that a lookup of `name` in `parent` found, resolved and cached
// (nullptr: `e` is no directory). A layer the lookup saw is not looked at again.
const PathTranslator::Dir* PathTranslator::resolve_dir(const Dir& parent, const std::string& name, const Entry& e) {
  if (e.kind != NodeKind::Dir) return nullptr;
  Dir d;
  d.view = join_path(parent.view, name);
  if (!e.place) {  // a directory of the view's root
    Dir& cached = dirs_[d.view];
    cached = std::move(d);
    return &cached;
  }
  d.place = e.place;
  d.rel = e.place_root ? std::string() : (parent.rel.empty() ? name : parent.rel + "/" + name);
  if (e.place->kind == ViewPlace::Kind::Layers) {
    // The layers below the topmost that hold a directory here too, down to the first
    // that holds something else, or to an opaque one (which hides those below).
    const std::vector<size_t> candidates = e.place_root ? [&] {
      std::vector<size_t> all;
      for (size_t i = 0; i < e.place->layers.size(); ++i) all.push_back(i);
      return all;
    }() : parent.layers;
    bool started = false;
    for (size_t i : candidates) {
      if (!started && i != e.layer) continue;
      started = true;
      if (i == e.layer && !e.real.empty()) {
        // What the lookup found there: a directory (above), stat'ed or indexed.
        d.layers.push_back(i);
        d.stamps += e.have_stat ? stamp(e.st) : index_stamp_;
        if (e.place->upper && i == 0 && opaque_dir(e.real)) break;
        continue;
      }
      const std::string real = layer_path(*e.place, i, d.rel);
      struct stat st;
      if (const std::optional<char> k = indexed(real)) {
        if (*k == '\0') continue;
        if (*k != 'd') break;
        // The tree never changes, but the package does when the app is upgraded: its
        // root (the payload's digest) stands for the directory's stamp.
        d.layers.push_back(i);
        d.stamps += index_stamp_;
        continue;
      }
      if (::lstat(real.c_str(), &st) != 0) continue;
      if (!S_ISDIR(st.st_mode)) break;
      d.layers.push_back(i);
      d.stamps += stamp(st);
      if (e.place->upper && i == 0 && opaque_dir(real)) break;
    }
  }
  Dir& cached = dirs_[d.view];
  cached = std::move(d);
  return &cached;
}

// Walks `path` component by component through the view. On success `parent` is the
// directory holding the final name `name` and `entry` what stands there (links in the
// final position followed when `follow_final`).
Translation PathTranslator::walk(const std::string& path, bool follow_final, Dir& parent, Entry& entry,
                                 std::string& name) {
  Translation t;
  if (path.empty() || path[0] != '/') {
    t.error = ENOENT;
    return t;
  }
  std::deque<std::string> pending;
  // The directory reached: the root or one in the cache, which a walk only adds to.
  const Dir* dir = &root_;
  // The common case, a name in a directory resolved before: one lookup on disk.
  if (const auto cached = plain_path(path) ? dirs_.find(parent_path(path)) : dirs_.end(); cached != dirs_.end()) {
    dir = &cached->second;
    pending.push_back(path.substr(path.rfind('/') + 1));
  } else {
    push_path_components(pending, path);
  }
  int links = 0;
  if (pending.empty()) {  // "/" itself
    parent = *dir;
    name.clear();
    entry = Entry{};
    entry.kind = NodeKind::Dir;
    entry.place = dir->place;
    entry.real = dir->place && !dir->place->layers.empty() ? dir->place->layers[0] : std::string();
    t.view_path = "/";
    t.kind = NodeKind::Dir;
    return t;
  }
  while (!pending.empty()) {
    if (dir->place && dir->place->kernel) {
      // Below /proc the kernel resolves the rest in the calling process: "self" is
      // the app, not the translator's process, and /proc/PID/fd/N are magic links.
      std::string rest = dir->view;
      for (const std::string& p : pending) rest = join_path(rest, p);
      parent = *dir;
      name = pending.back();
      entry = Entry{};
      entry.kind = NodeKind::Other;
      entry.place = dir->place;
      entry.real = rest;
      t.view_path = rest;
      t.kind = NodeKind::Other;
      return t;
    }
    std::string part = std::move(pending.front());
    pending.pop_front();
    const bool last = pending.empty();
    if (!last && part != "." && part != "..") {
      // A directory on the way that was resolved before: no lookup on disk.
      if (auto it = dirs_.find(join_path(dir->view, part)); it != dirs_.end()) {
        dir = &it->second;
        continue;
      }
    }
    if (part == "." || part == "..") {
      if (part == ".." && dir->view != "/" && !(dir = resolve_dir(parent_path(dir->view)))) {
        t.error = ENOENT;
        return t;
      }
      if (!last) continue;
      // The path ends at a directory reached by "." or "..": name it from its parent.
      if (dir->view == "/") return walk("/", follow_final, parent, entry, name);
      part = dir->view.substr(dir->view.rfind('/') + 1);
      if (!(dir = resolve_dir(parent_path(dir->view)))) {
        t.error = ENOENT;
        return t;
      }
    }
    Entry e = lookup(*dir, part);
    if (e.kind == NodeKind::Symlink && (!last || follow_final)) {
      if (++links > kMaxLinks) {
        t.error = ELOOP;
        return t;
      }
      const std::string text = e.place_root && !e.link.empty() ? e.link : read_link_text(e.real);
      if (text.empty()) {
        t.error = ENOENT;
        return t;
      }
      push_path_components(pending, text);
      if (text[0] == '/') dir = &root_;
      if (pending.empty()) return walk("/", follow_final, parent, entry, name);
      continue;
    }
    if (last) {
      parent = *dir;
      t.view_path = join_path(dir->view, part);
      entry = std::move(e);
      name = std::move(part);
      t.kind = entry.kind;
      return t;
    }
    if (e.kind == NodeKind::Absent) {
      t.error = ENOENT;
      return t;
    }
    if (e.kind != NodeKind::Dir) {
      t.error = ENOTDIR;
      return t;
    }
    if (!(dir = resolve_dir(*dir, part, e))) {
      t.error = ENOENT;
      return t;
    }
  }
  t.error = ENOENT;
  return t;
}

// Makes the directory `dir` exist in its place's upper layer, each missing component
// created with the mode of the directory the view shows there.
int PathTranslator::copy_up_dir(const Dir& dir) {
  if (!dir.place || !dir.place->upper) return EROFS;
  const std::string& upper = dir.place->layers[0];
  struct stat st;
  if (::lstat(upper.c_str(), &st) != 0) {
    if (errno != ENOENT) return errno;
    try {
      make_dirs(upper, 0755);
    } catch (const Error&) {
      return EIO;
    }
  }
  std::string rel;
  std::string view = dir.place->target;
  for (size_t start = 0; start < dir.rel.size();) {
    size_t end = dir.rel.find('/', start);
    if (end == std::string::npos) end = dir.rel.size();
    rel = dir.rel.substr(0, end);
    view = join_path(view, dir.rel.substr(start, end - start));
    start = end + 1;
    const std::string in_upper = upper + "/" + rel;
    if (::lstat(in_upper.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return EIO;  // a whiteout or file in upper where the view shows a directory: cannot be
    }
    mode_t mode = 0755;
    if (const Dir* shown = resolve_dir(view); shown && !shown->layers.empty() &&
        ::stat(layer_path(*shown->place, shown->layers[0], shown->rel).c_str(), &st) == 0) {
      mode = st.st_mode & 07777;
    }
    if (::mkdir(in_upper.c_str(), mode) != 0 && errno != EEXIST) return errno;
  }
  forget_resolved();
  return 0;
}

// Copies the lower file `entry` (name `name` in `parent`) into the upper layer: data,
// permission bits and times, through a temporary name.
int PathTranslator::copy_up_file(const Dir& parent, const std::string& name, const Entry& entry) {
  if (const int err = copy_up_dir(parent)) return err;
  const std::string to = layer_path(*parent.place, 0, parent.rel.empty() ? name : parent.rel + "/" + name);
  if (entry.kind == NodeKind::Symlink) {
    const std::string text = read_link_text(entry.real);
    if (::symlink(text.c_str(), to.c_str()) != 0 && errno != EEXIST) return errno;
    return 0;
  }
  if (entry.kind != NodeKind::File) return EIO;
  UniqueFd in(::open(entry.real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!in || ::fstat(in.get(), &st) != 0) return errno;
  const std::string tmp = to + ".appv-copy-up";
  ::unlink(tmp.c_str());  // left by a supervisor killed mid copy-up: it would block every later one
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return errno;
  try {
    copy_bytes(in.get(), out.get(), static_cast<uint64_t>(st.st_size), entry.real);
  } catch (const Error&) {
    ::unlink(tmp.c_str());
    return EIO;
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::fchmod(out.get(), st.st_mode & 07777) != 0 || ::futimens(out.get(), times) != 0 ||
      ::rename(tmp.c_str(), to.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return err;
  }
  return 0;
}

int PathTranslator::may_change(const std::string& real) {
  struct stat st;
  if (::lstat(real.c_str(), &st) != 0) return errno;
  if (st.st_uid == ::geteuid() || S_ISLNK(st.st_mode)) return 0;
  return ::faccessat(AT_FDCWD, real.c_str(), W_OK, AT_EACCESS) == 0 ? 0 : errno;
}

int PathTranslator::make_place_upper(const ViewPlace& place, const Entry& shown) {
  const std::string& upper = place.layers[0];
  struct stat st;
  if (::lstat(upper.c_str(), &st) == 0) return S_ISDIR(st.st_mode) || shown.kind != NodeKind::Dir ? 0 : EIO;
  if (errno != ENOENT) return errno;
  if (shown.kind != NodeKind::Dir) return EROFS;  // a file place is bound, not layered
  mode_t mode = 0755;
  if (!shown.real.empty() && ::stat(shown.real.c_str(), &st) == 0) mode = st.st_mode & 07777;
  try {
    make_dirs(parent_dir(upper), 0700);
  } catch (const Error&) {
    return EIO;
  }
  if (::mkdir(upper.c_str(), mode) != 0 && errno != EEXIST) return errno;
  (void)!::chmod(upper.c_str(), mode);  // the umask took bits the layer shown has
  forget_resolved();
  return 0;
}

// Deletes `name` from the view where a lower layer holds it: the upper copy (a
// directory only when the view shows it empty) goes, a whiteout takes its place.
int PathTranslator::record_deletion(const Dir& parent, const std::string& name, const Entry& entry) {
  const std::string view = join_path(parent.view, name);
  if (entry.kind == NodeKind::Dir) {
    const Listing inside = list(view);
    if (inside.error) return inside.error;
    if (!inside.entries.empty()) return ENOTEMPTY;
  }
  if (const int err = copy_up_dir(parent)) return err;
  const std::string at = layer_path(*parent.place, 0, parent.rel.empty() ? name : parent.rel + "/" + name);
  struct stat st;
  if (::lstat(at.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      try {
        remove_tree(at);  // holds only whiteouts: the view shows it empty
      } catch (const Error&) {
        return EIO;
      }
    } else if (::unlink(at.c_str()) != 0) {
      return errno;
    }
  }
  if (::mknod(at.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) return errno;
  forget_resolved();
  return 0;
}

// The lender's rights (set_lender) while alive, unless already lent.
class PathTranslator::Lent {
 public:
  explicit Lent(PathTranslator& t) : t_(t), lending_(t.lend_ && !t.lent_) {
    if (!lending_) return;
    t_.lent_ = true;
    t_.lend_(true);
  }
  ~Lent() {
    if (!lending_) return;
    t_.lend_(false);
    t_.lent_ = false;
  }
  Lent(const Lent&) = delete;
  Lent& operator=(const Lent&) = delete;

 private:
  PathTranslator& t_;
  bool lending_;
};

bool PathTranslator::opaque_dir(const std::string& dir) {
  if (!root_xattrs_) return opaque(dir);
  Lent rights(*this);  // trusted.* attributes are read with CAP_SYS_ADMIN only
  return opaque(dir);
}

int PathTranslator::mark_opaque(const std::string& dir, const char* xattr) {
  Lent rights(*this);  // and set with it
  return ::lsetxattr(dir.c_str(), xattr, "y", 1, 0) == 0 ? 0 : errno;
}

Translation PathTranslator::translate(const std::string& path, Intent intent, bool follow_final, unsigned mode) {
  Dir parent;
  Entry entry;
  std::string name;
  if (intent == Intent::Lookup && plain_path(path)) {
    // A directory resolved before (the app walking a tree): named without a look on
    // disk, as the directories on the way to any name are.
    const auto it = dirs_.find(path);
    const Dir* d = it == dirs_.end() ? nullptr : &it->second;
    if (d && d->place && !d->place->kernel && d->place->kind == ViewPlace::Kind::Layers && !d->layers.empty()) {
      Translation t;
      t.view_path = path;
      t.kind = NodeKind::Dir;
      t.real = listing_stand_in(path, layer_path(*d->place, d->layers[0], d->rel));
      return t;
    }
  }
  Translation t = walk(path, follow_final, parent, entry, name);
  if (t.error) return t;
  const bool in_place = entry.place != nullptr;
  const ViewPlace* place = in_place ? entry.place : nullptr;
  const bool read_only = !place || place->read_only || place->kind != ViewPlace::Kind::Layers;
  switch (intent) {
    case Intent::Lookup:
      if (entry.kind == NodeKind::Absent) {
        t.error = ENOENT;
        return t;
      }
      if (entry.real.empty()) {
        // The view's own directories: the root's ways to places stand for themselves on
        // the host (the kernel then lists the host's names there), a hidden place for
        // an empty directory or file. A place's link has no host file: readlink is
        // answered from the view (the caller asks for the link's text).
        const ViewPlace::Kind kind = entry.place ? entry.place->kind : ViewPlace::Kind::Layers;
        t.real = entry.kind == NodeKind::Symlink      ? std::string()
                 : kind == ViewPlace::Kind::Empty     ? empty_dir_
                 : kind == ViewPlace::Kind::EmptyFile ? empty_file_
                                                      : t.view_path;
        return t;
      }
      if (entry.kind == NodeKind::Dir) {
        // Resolved from the lookup just made: its stand-in is chosen without another.
        if (!dirs_.count(t.view_path)) resolve_dir(parent, name, entry);
        t.real = listing_stand_in(t.view_path, entry.real);
      } else {
        t.real = entry.real;
      }
      if (entry.have_stat && t.real == entry.real) {
        t.have_stat = true;
        t.st = entry.st;
      }
      return t;
    case Intent::Write:
      if (entry.kind == NodeKind::Absent) {
        t.error = ENOENT;
        return t;
      }
      if (read_only || (entry.place_root && !place->upper)) {
        t.error = entry.place_root && place && !place->read_only && place->kind == ViewPlace::Kind::Layers ? 0 : EROFS;
        t.real = entry.real;
        return t;
      }
      if (entry.place_root) {
        // A place's own root ($HOME, /etc): changed in its upper directory, made first
        // with the mode of the layer shown, never in a lower layer (the host's).
        t.error = make_place_upper(*place, entry);
        t.real = t.error ? std::string() : place->layers[0];
        return t;
      }
      if (place->upper && entry.layer != 0) {
        forget_resolved();
        if (const int err = may_change(entry.real)) {
          t.error = err;
          return t;
        }
        // A copy: copy_up_dir forgets the resolved directories when it is done.
        const Dir* resolved = entry.kind == NodeKind::Dir ? resolve_dir(t.view_path) : nullptr;
        const Dir self = resolved ? *resolved : Dir{};
        const int err = entry.kind == NodeKind::Dir ? (resolved ? copy_up_dir(self) : ENOENT)
                                                    : copy_up_file(parent, name, entry);
        if (err) {
          t.error = err;
          return t;
        }
        t.real = layer_path(*place, 0, parent.rel.empty() ? name : parent.rel + "/" + name);
        return t;
      }
      t.real = entry.real;
      return t;
    case Intent::Create:
    case Intent::MakeDir: {
      if (entry.kind != NodeKind::Absent) {
        if (intent == Intent::MakeDir) t.error = EEXIST;
        if (intent == Intent::MakeDir) return t;
        return translate(t.view_path, Intent::Write, false);
      }
      if (!parent.place || parent.place->read_only || parent.place->kind != ViewPlace::Kind::Layers) {
        t.error = EROFS;
        return t;
      }
      const std::string rel = parent.rel.empty() ? name : parent.rel + "/" + name;
      if (parent.place->upper) {
        if (const int err = copy_up_dir(parent)) {
          t.error = err;
          return t;
        }
        t.real = layer_path(*parent.place, 0, rel);
        // A whiteout of a deleted lower entry gives way to the new one; a directory
        // made there is opaque, or the deleted one's entries would show again.
        if (is_whiteout(t.real)) {
          if (::unlink(t.real.c_str()) != 0) {
            t.error = errno;
          } else if (intent == Intent::MakeDir) {
            const char* xattr = root_xattrs_ ? "trusted.overlay.opaque" : "user.overlay.opaque";
            if (::mkdir(t.real.c_str(), mode) != 0) {
              t.error = errno;
            } else {
              t.error = mark_opaque(t.real, xattr);
            }
            t.done = t.error == 0;
          }
        }
      } else {
        t.real = layer_path(*parent.place, 0, rel);
      }
      forget_resolved();
      return t;
    }
    case Intent::Delete: {
      if (entry.kind == NodeKind::Absent) {
        t.error = ENOENT;
        return t;
      }
      if (read_only || entry.place_root) {
        t.error = entry.place_root ? EBUSY : EROFS;
        return t;
      }
      forget_resolved();
      if (!place->upper) {
        t.real = entry.real;
        return t;
      }
      // Does a layer below the upper one hold the name too?
      bool below = false;
      const std::string rel = parent.rel.empty() ? name : parent.rel + "/" + name;
      for (size_t i : parent.layers) {
        struct stat st;
        if (i != 0 && ::lstat(layer_path(*place, i, rel).c_str(), &st) == 0 && !is_whiteout(st)) below = true;
      }
      if (!below) {
        t.real = entry.real;
        return t;
      }
      t.error = record_deletion(parent, name, entry);
      t.done = t.error == 0;
      return t;
    }
  }
  return t;
}

std::string PathTranslator::view_path_of(const std::string& real) const {
  if (!listings_dir_.empty() && path_has_prefix(real, listings_dir_)) {
    auto it = stand_in_view_.upper_bound(real);  // the stand-in at or above `real`
    while (it != stand_in_view_.begin()) {
      --it;
      if (path_has_prefix(real, it->first)) return it->second + real.substr(it->first.size());
      if (it->first.compare(0, listings_dir_.size(), listings_dir_) != 0) break;
    }
  }
  std::string best_view;
  size_t best = 0;
  for (const ViewPlace& p : table_.places()) {
    if (p.kind != ViewPlace::Kind::Layers) continue;
    for (const std::string& l : p.layers) {
      if (l.size() > best && path_has_prefix(real, l)) {
        best = l.size();
        best_view = p.target + real.substr(l.size());
        if (best_view.size() > 1 && best_view.back() == '/') best_view.pop_back();
      }
    }
  }
  return best_view;
}

bool PathTranslator::in_protected_layer(const std::string& real) const {
  size_t best = 0;
  bool protected_layer = false;
  for (const ViewPlace& p : table_.places()) {
    if (p.kind != ViewPlace::Kind::Layers || p.kernel) continue;
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const std::string& l = p.layers[i];
      if (l.size() > best && path_has_prefix(real, l)) {
        best = l.size();
        protected_layer = p.read_only || (p.upper && i != 0);
      }
    }
  }
  return protected_layer;
}

PathTranslator::Listing PathTranslator::list(const std::string& path) {
  Listing out;
  Dir parent;
  Entry entry;
  std::string name;
  const Translation t = walk(path, true, parent, entry, name);
  if (t.error || entry.kind != NodeKind::Dir) {
    out.error = t.error ? t.error : ENOTDIR;
    return out;
  }
  const Dir* resolved = resolve_dir(t.view_path);
  if (!resolved) {
    out.error = ENOENT;
    return out;
  }
  const Dir& dir = *resolved;  // in the cache, which nothing below changes
  std::vector<LayerListing> layers;
  if (dir.place && dir.place->kind == ViewPlace::Kind::Layers) {
    for (size_t i : dir.layers) layers.push_back(read_layer(layer_path(*dir.place, i, dir.rel)));
  }
  std::map<std::string, NodeKind> names = merge_layers(layers);
  // Places mounted directly in it, and the root's own directories.
  for (const std::string& n : table_.root_children(t.view_path)) {
    const Entry e = lookup(dir, n);
    if (e.kind != NodeKind::Absent) names[n] = e.kind;
  }
  out.entries.assign(names.begin(), names.end());
  return out;
}

std::string PathTranslator::listing_stand_in(const std::string& view_path, const std::string& real) {
  if (listings_dir_.empty()) return real;
  if (auto it = stand_ins_.find(view_path); it != stand_ins_.end()) return it->second;
  const Dir* resolved = resolve_dir(view_path);
  if (!resolved || !resolved->place || resolved->place->kind != ViewPlace::Kind::Layers) return real;
  const Dir& dir = *resolved;  // in the cache, which nothing below changes
  // One contributing layer that is not the sandbox's (which may hold whiteouts) and
  // no place mounted inside: the kernel lists it as the view shows it.
  if (dir.layers.size() == 1 && !(dir.place->upper && dir.layers[0] == 0) && !table_.is_root_dir(view_path)) {
    stand_ins_[view_path] = real;
    return real;
  }
  // A layer whose own listing is the view's (names and kinds, no whiteouts) lists it
  // as well as a stand-in would: the host's directory under a package's that lacks
  // only some of its entries (a package without __pycache__ over the host's), or the
  // top one when the lower ones add nothing. Known from an earlier launch if none of
  // the layers changed since.
  const bool rememberable = !table_.is_root_dir(view_path) && !dir.stamps.empty();
  if (rememberable) {
    if (auto it = remembered_.find(view_path); it != remembered_.end() && it->second.stamps == dir.stamps) {
      for (size_t i : dir.layers) {
        const std::string layer_real = layer_path(*dir.place, i, dir.rel);
        if (layer_real != it->second.layer_real) continue;
        stand_ins_[view_path] = layer_real;
        return layer_real;
      }
    }
  }
  std::vector<LayerListing> layers;
  for (size_t i : dir.layers) layers.push_back(read_layer(layer_path(*dir.place, i, dir.rel)));
  std::map<std::string, NodeKind> want = merge_layers(layers);
  for (const std::string& n : table_.root_children(view_path)) {
    const Entry e = lookup(dir, n);
    if (e.kind != NodeKind::Absent) want[n] = e.kind;
  }
  for (size_t k = 0; k < layers.size(); ++k) {
    const LayerListing& l = layers[k];
    if (!l.whiteouts.empty() || l.names.size() != want.size() || !std::equal(l.names.begin(), l.names.end(), want.begin(),
                    [](const auto& x, const auto& y) { return x.first == y.first && x.second == y.second; })) {
      continue;
    }
    const std::string layer_real = layer_path(*dir.place, dir.layers[k], dir.rel);
    stand_ins_[view_path] = layer_real;
    if (rememberable && remember_now(dir)) {
      remembered_[view_path] = {layer_real, dir.stamps};
      memory_changed_ = true;
    }
    return layer_real;
  }
  const Listing merged{0, {want.begin(), want.end()}};
  const std::string top_real = layer_path(*dir.place, dir.layers.empty() ? 0 : dir.layers[0], dir.rel);
  const std::string at = listings_dir_ + "/" + std::to_string(++stand_in_count_);
  struct stat st{};
  const bool have_top = ::stat(top_real.c_str(), &st) == 0;
  if (::mkdir(at.c_str(), 0700) != 0) return real;
  UniqueFd in(::open(at.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return real;
  // One system call an entry, relative to the stand-in (a merged /usr/bin has
  // thousands): an empty file made with mknod, not open and close.
  for (const auto& [n, kind] : merged.entries) {
    const char* name = n.c_str();
    if (kind == NodeKind::Dir) {
      (void)!::mkdirat(in.get(), name, 0755);
    } else if (kind == NodeKind::Symlink) {
      (void)!::symlinkat(".", in.get(), name);
    } else {
      (void)!::mknodat(in.get(), name, (kind == NodeKind::File ? S_IFREG : S_IFIFO) | 0644, 0);
    }
  }
  if (have_top) {
    (void)!::chmod(at.c_str(), st.st_mode & 07777);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    (void)!::utimensat(AT_FDCWD, at.c_str(), times, 0);
  }
  stand_ins_[view_path] = at;
  stand_in_view_[at] = view_path;
  return at;
}

// A decision is kept only when every layer directory changed at least a second ago:
// a change within the same clock tick as the one seen would leave its ctime as it was.
bool PathTranslator::remember_now(const Dir& dir) const {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  for (size_t i : dir.layers) {
    struct stat st;
    if (::lstat(layer_path(*dir.place, i, dir.rel).c_str(), &st) != 0 || now.tv_sec - st.st_ctim.tv_sec < 1) return false;
  }
  return true;
}

void PathTranslator::use_listing_memory(std::string file) {
  memory_file_ = std::move(file);
  remembered_.clear();
  memory_changed_ = false;
  std::ifstream in(memory_file_);
  std::string line;
  // One directory a line: view path, the layer directory that lists it, the stamps.
  while (std::getline(in, line)) {
    const size_t a = line.find('\t');
    const size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) continue;
    remembered_[line.substr(0, a)] = {line.substr(a + 1, b - a - 1), line.substr(b + 1)};
  }
}

void PathTranslator::use_tree_index(std::string root, std::shared_ptr<const TreeIndex> index) {
  index_root_ = std::move(root);
  index_ = std::move(index);
  index_stamp_ = "package-" + std::to_string(std::hash<std::string>{}(index_root_)) + " ";
}

std::optional<char> PathTranslator::indexed(const std::string& real) const {
  if (!index_ || !path_has_prefix(real, index_root_)) return std::nullopt;
  if (real.size() == index_root_.size()) return 'd';
  const std::string_view below = std::string_view(real).substr(index_root_.size());
  // The index names each entry once, by its plain path: any other spelling is asked
  // of the disk.
  if (!is_clean_absolute(below)) return std::nullopt;
  return index_->find(below);
}

void PathTranslator::save_listing_memory() const {
  if (memory_file_.empty() || !memory_changed_) return;
  std::string text;
  for (const auto& [view, r] : remembered_) {
    if (view.find_first_of("\t\n") != std::string::npos || r.layer_real.find_first_of("\t\n") != std::string::npos) continue;
    text += view + "\t" + r.layer_real + "\t" + r.stamps + "\n";
  }
  try {
    AtomicFile out(memory_file_);
    write_all(out.fd(), text.data(), text.size(), out.temp_path());
    out.commit(0600, "cannot replace", Durability::Unsynced);
  } catch (const Error&) {
    // A cache: the next launch reads the listings again.
  }
}

}  // namespace appv
