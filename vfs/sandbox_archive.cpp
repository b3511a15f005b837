#include "vfs/sandbox_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "manifests/paths.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "vfs/link_chains.h"
#include "vfs/sandbox.h"
#include "vfs/layout.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

constexpr const char* kMarker = ".appv-sandbox";
constexpr const char* kOpaqueXattr = "user.overlay.opaque";
// Import bounds (sandbox_archive.h, README "Limits"): the same entry count as a
// package; at most kMaxBytes of file data, counted by the sizes entries declare (a
// sparse entry counts whole); and, past kRatioFloor bytes written, no more than
// kMaxRatio bytes written per byte of the archive read so far, so a few kilobytes of
// compressed zeros stop at kRatioFloor instead of filling the disk.
constexpr uint64_t kMaxEntries = 2'000'000;
constexpr uint64_t kMaxBytes = 64ull << 30;
constexpr uint64_t kRatioFloor = 16ull << 20;
constexpr uint64_t kMaxRatio = 1000;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// Where the overlays of this user keep their opaque marks (see mounts.cpp: userxattr
// inside a user namespace, trusted.* for root).
const char* own_opaque_xattr() { return ::geteuid() == 0 ? "trusted.overlay.opaque" : kOpaqueXattr; }

// Names in the open directory `dir` (no "." or ".."), sorted for a reproducible export.
std::vector<std::string> names_in(int dir, const std::string& path) {
  UniqueFd copy(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = copy ? ::fdopendir(copy.get()) : nullptr;
  if (!d) throw_sys("cannot list", path, errno);
  copy.release();
  std::unique_ptr<DIR, int (*)(DIR*)> owned(d, closedir);
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) {
    std::string_view n = ent->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Exporter {
 public:
  Exporter(archive* a, std::string sandbox) : a_(a), sandbox_(std::move(sandbox)) {}

  void write_bytes(const std::string& name, const std::string& data) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    header(e.get(), name);
    if (archive_write_data(a_, data.data(), data.size()) < 0) fail(name);
  }

  // Archives `rel`, the entry `name` of the directory `parent`, never following a
  // link: the app writes upper/ and may still run, so each directory is opened with
  // O_NOFOLLOW below the one before (a directory swapped for a link `upper/x -> /etc`
  // fails to open instead of being read), links are read as links, and a file is
  // read only if what was opened is the regular file that was inspected.
  void walk(int parent, const std::string& name, const std::string& rel) {
    const std::string path = sandbox_ + "/" + rel;
    struct stat st;
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_sys("cannot inspect", path, errno);
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), rel.c_str());
    archive_entry_set_perm(e.get(), st.st_mode & (S_ISDIR(st.st_mode) ? 01777 : 0777));
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (S_ISDIR(st.st_mode)) {
      UniqueFd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dir) throw_sys("cannot open", path, errno);
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      if (is_opaque_dir(dir.get())) archive_entry_xattr_add_entry(e.get(), kOpaqueXattr, "y", 1);
      header(e.get(), rel);
      for (const std::string& child : names_in(dir.get(), path)) walk(dir.get(), child, rel + "/" + child);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlinkat(parent, name.c_str(), target, sizeof target - 1);
      if (n < 0) throw_sys("cannot read link", path, errno);
      target[n] = '\0';
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), target);
      header(e.get(), rel);
    } else if (is_whiteout(st)) {
      archive_entry_set_filetype(e.get(), AE_IFCHR);
      archive_entry_set_rdev(e.get(), 0);
      header(e.get(), rel);
    } else if (S_ISREG(st.st_mode)) {
      UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (!fd) throw_sys("cannot read", path, errno);
      struct stat got;
      if (::fstat(fd.get(), &got) != 0) throw_sys("cannot inspect", path, errno);
      if (!S_ISREG(got.st_mode) || got.st_ino != st.st_ino || got.st_dev != st.st_dev) {
        throw Error(Exit::Io, fmt::format("'{}' changed while being exported; stop the app and export again", path));
      }
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), got.st_size);
      header(e.get(), rel);
      // Exactly the size the header states, even if the app writes meanwhile.
      uint64_t left = static_cast<uint64_t>(got.st_size);
      char buf[1 << 16];
      while (left > 0) {
        ssize_t n = ::read(fd.get(), buf, static_cast<size_t>(std::min<uint64_t>(left, sizeof buf)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_sys("cannot read", path, errno);
        if (n == 0) throw Error(Exit::Io, fmt::format("'{}' shrank while being exported; stop the app and export again", path));
        if (archive_write_data(a_, buf, static_cast<size_t>(n)) < 0) fail(rel);
        left -= static_cast<uint64_t>(n);
      }
      st = got;
    } else {
      return;  // sockets and FIFOs the app left behind are not state
    }
    count_.entries++;
    if (S_ISREG(st.st_mode)) count_.bytes += static_cast<uint64_t>(st.st_size);
  }

  ArchiveCount count() const { return count_; }

 private:
  void header(archive_entry* e, const std::string& name) {
    if (archive_write_header(a_, e) != ARCHIVE_OK) fail(name);
  }
  [[noreturn]] void fail(const std::string& name) {
    throw Error(Exit::Io, fmt::format("cannot write '{}' into the export: {}", shown_name(name), archive_error_string(a_)));
  }

  archive* a_;
  std::string sandbox_;
  ArchiveCount count_;
};

// Why an entry of an imported archive is refused, or "".
std::string refused(archive_entry* e, const std::string& name) {
  if (name.empty() || name[0] == '/') return "absolute or empty path";
  if (!is_clean_absolute("/" + name)) return "path has '.', '..' or empty components";
  if (name != kMarker && name != layout::kState && name != layout::kUpper && name.rfind(std::string(layout::kUpper) + "/", 0) != 0) {
    return "not part of a sandbox (expected .appv-sandbox, state or upper/...)";
  }
  if (archive_entry_hardlink(e)) return "hard links are not accepted";
  const mode_t type = archive_entry_filetype(e);
  if (type == AE_IFCHR) return archive_entry_rdev(e) == 0 ? "" : "device node (only overlay whiteouts, 0:0, are accepted)";
  if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) return "neither file, directory, link nor whiteout";
  if ((name == kMarker || name == layout::kState) && type != AE_IFREG) return "must be a regular file";
  if (name == layout::kUpper && type != AE_IFDIR) return "must be a directory";
  // upper/<top> are the upper directories appv mounts over the view's top-level
  // directories: a link there would send the app's writes wherever it points.
  if (type == AE_IFLNK && name.find('/', layout::kUpper.size() + 1) == std::string::npos) {
    return "a link where the sandbox needs a directory";
  }
  return {};
}

}  // namespace

ArchiveCount export_sandbox(const std::string& sandbox, const std::string& app_id, const std::string& file) {
  AtomicFile out(file);
  const std::string& tmp = out.temp_path();
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  // Names as bytes, whatever the locale (vfs/package_writer.cpp does the same).
  archive_write_set_format_option(a.get(), "pax", "hdrcharset", "BINARY");
  archive_write_add_filter_zstd(a.get());
  if (archive_write_open_fd(a.get(), out.fd()) != ARCHIVE_OK) {
    throw Error(Exit::Io, fmt::format("cannot create '{}': {}", tmp, archive_error_string(a.get())));
  }
  Exporter ex(a.get(), sandbox);
  ex.write_bytes(kMarker, fmt::format("id {}\n", app_id));
  UniqueFd dir(::open(sandbox.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw_sys("cannot open", sandbox, errno);
  for (std::string_view name : {layout::kState, layout::kUpper}) {
    struct stat st;
    if (::fstatat(dir.get(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) ex.walk(dir.get(), std::string(name), std::string(name));
  }
  ArchiveCount count = ex.count();
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    throw Error(Exit::Io, fmt::format("cannot finish '{}': {}", tmp, archive_error_string(a.get())));
  }
  // The export is a file the user asked for: 0666 less their umask, as creat(2) would
  // give. (Reading the umask sets it for a moment; nothing else runs meanwhile.)
  const mode_t umask = ::umask(0);
  ::umask(umask);
  out.commit(0666 & ~umask, "cannot create");
  return count;
}

ArchiveCount import_sandbox(const std::string& file, const std::string& app_id, const std::string& staging) {
  if (::mkdir(staging.c_str(), 0700) != 0) throw_sys("cannot create", staging, errno);
  ArchiveCount count;
  ScopeGuard remove_staging([&] { remove_tree_quietly(staging); });
  ArchivePtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_zstd(in.get());
  archive_read_support_filter_none(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), file.c_str(), 1 << 16) != ARCHIVE_OK) {
    int err = archive_errno(in.get());
    throw Error(err == ENOENT ? Exit::NoInput : Exit::BadInput,
                fmt::format("'{}' is not a sandbox export: {}", file, archive_error_string(in.get())));
  }
  std::string marker;
  std::set<std::string> links;
  LinkChains chains;
  // Entered before `disk` exists and left after it is closed: libarchive applies
  // directories' modes and times at close, by the same relative names.
  run_in_directory(staging, [&] {
    ArchivePtr disk(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                   ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM |
                                                   ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_NO_OVERWRITE);
    uint64_t declared_bytes = 0;
    archive_entry* e = nullptr;
    for (;;) {
      int r = archive_read_next_header(in.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK) throw Error(Exit::BadInput, fmt::format("'{}' is not a sandbox export: {}", file, archive_error_string(in.get())));
      const std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
      std::string clean = name.size() > 1 && name.back() == '/' ? name.substr(0, name.size() - 1) : name;
      if (std::string why = refused(e, clean); !why.empty()) {
        throw Error(Exit::BadInput, fmt::format("'{}': entry '{}' refused: {}", file, shown_name(name), why));
      }
      if (++count.entries > kMaxEntries) throw Error(Exit::BadInput, fmt::format("'{}': more than {} entries", file, kMaxEntries));
      for (size_t slash = clean.find('/'); slash != std::string::npos; slash = clean.find('/', slash + 1)) {
        if (links.count(clean.substr(0, slash))) {
          throw Error(Exit::BadInput, fmt::format("'{}': entry '{}' refused: it lies below the link '{}'", file, shown_name(name),
                                                  shown_name(clean.substr(0, slash))));
        }
      }
      if (archive_entry_filetype(e) == AE_IFLNK) {
        const char* target = archive_entry_symlink(e);
        if (!target || !*target) throw Error(Exit::BadInput, fmt::format("'{}': entry '{}' refused: a link without a target", file, shown_name(name)));
        links.insert(clean);
        // Below upper/, as the app's view reads it: absolute targets are the app's
        // paths; relative ones may not climb out of upper/ (checked with all links).
        chains.add(clean.substr(layout::kUpper.size() + 1), target);
      }
      if (archive_entry_filetype(e) == AE_IFREG) {
        const la_int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        declared_bytes += declared > 0 ? static_cast<uint64_t>(declared) : 0;
        if (declared < 0 || declared_bytes > kMaxBytes) {
          throw Error(Exit::BadInput, fmt::format("'{}': expands beyond the limit of {} bytes (at '{}')", file, kMaxBytes, shown_name(name)));
        }
      }
      const bool opaque = [&] {
        const char* xname;
        const void* value;
        size_t size;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
          if (std::string_view(xname) == kOpaqueXattr && size == 1 && *static_cast<const char*>(value) == 'y') return true;
        }
        return false;
      }();
      archive_entry_xattr_clear(e);
      // No setuid or setgid bits; the sticky bit only on directories (a /tmp copy).
      archive_entry_set_perm(e, archive_entry_perm(e) & (archive_entry_filetype(e) == AE_IFDIR ? 01777 : 0777));
      archive_entry_set_uid(e, ::geteuid());
      archive_entry_set_gid(e, ::getegid());
      const std::string dest = staging + "/" + clean;
      archive_entry_set_pathname(e, clean.c_str());
      if (name == kMarker) {
        char buf[256] = {};
        la_ssize_t n = archive_read_data(in.get(), buf, sizeof buf - 1);
        marker.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
        continue;
      }
      if (archive_write_header(disk.get(), e) != ARCHIVE_OK) {
        throw Error(Exit::BadInput, fmt::format("'{}': cannot extract '{}': {}", file, shown_name(name), archive_error_string(disk.get())));
      }
      if (archive_entry_filetype(e) == AE_IFREG) {
        const void* buf;
        size_t size;
        la_int64_t offset;
        while ((r = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
          if (archive_write_data_block(disk.get(), buf, size, offset) != ARCHIVE_OK) {
            throw Error(Exit::Io, fmt::format("cannot write '{}': {}", dest, archive_error_string(disk.get())));
          }
          count.bytes += size;
          const uint64_t read = static_cast<uint64_t>(std::max<la_int64_t>(archive_filter_bytes(in.get(), -1), 1));
          if (count.bytes > kRatioFloor && count.bytes / read >= kMaxRatio) {
            throw Error(Exit::BadInput, fmt::format("'{}': expands more than {} times its size (a decompression bomb?) at '{}'",
                                                    file, kMaxRatio, shown_name(name)));
          }
        }
        if (r != ARCHIVE_EOF) throw Error(Exit::BadInput, fmt::format("'{}': entry '{}' is truncated: {}", file, shown_name(name), archive_error_string(in.get())));
      }
      if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK) {
        throw Error(Exit::Io, fmt::format("cannot finish '{}': {}", dest, archive_error_string(disk.get())));
      }
      if (opaque && archive_entry_filetype(e) == AE_IFDIR && ::lsetxattr(clean.c_str(), own_opaque_xattr(), "y", 1, 0) != 0) {
        throw_sys("cannot mark opaque", dest, errno);
      }
    }
    if (archive_write_close(disk.get()) != ARCHIVE_OK) {
      throw Error(Exit::Io, fmt::format("cannot finish the import into '{}': {}", staging, archive_error_string(disk.get())));
    }
  });
  if (auto [link, why] = chains.first_escape(); !link.empty()) {
    throw Error(Exit::BadInput, fmt::format("'{}': entry 'upper/{}' -> '{}' refused: {} of the sandbox", file, shown_name(link),
                                            shown_name(chains.target(link)), why));
  }
  if (marker != fmt::format("id {}\n", app_id)) {
    std::string found = marker.rfind("id ", 0) == 0 ? marker.substr(3, marker.find('\n') - 3) : "";
    throw Error(Exit::BadInput, found.empty() ? fmt::format("'{}' is not a sandbox export (no .appv-sandbox entry)", file)
                                              : fmt::format("'{}' holds the sandbox of '{}', not of '{}'", file, shown_name(found), app_id));
  }
  remove_staging.dismiss();
  return count;
}

}  // namespace appv
