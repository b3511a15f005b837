#include "vfs/payload.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/text.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "vfs/link_chains.h"

namespace appv {
namespace {

constexpr size_t kMaxPathBytes = 4000;
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxDepth = 128;

// Feeds libarchive the payload byte range of the package file, hashing what it reads
// so the digest is checked in the same pass as the extraction.
struct Source {
  Source(int f, uint64_t off, uint64_t size) : fd(f), offset(off), remaining(size) {}
  int fd;
  uint64_t offset;
  uint64_t remaining;
  Sha256 hash;
  std::vector<char> buf = std::vector<char>(1 << 18);
  std::string error;
};

la_ssize_t source_read(struct archive*, void* ctx, const void** out) {
  auto* s = static_cast<Source*>(ctx);
  size_t want = static_cast<size_t>(std::min<uint64_t>(s->remaining, s->buf.size()));
  if (want == 0) return 0;
  ssize_t n;
  do {
    n = pread(s->fd, s->buf.data(), want, static_cast<off_t>(s->offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    s->error = errno_text(errno);
    return -1;
  }
  if (n == 0) {
    s->error = "package file shrank while being read";
    return -1;
  }
  s->hash.update(s->buf.data(), static_cast<size_t>(n));
  s->offset += static_cast<uint64_t>(n);
  s->remaining -= static_cast<uint64_t>(n);
  *out = s->buf.data();
  return n;
}

struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

// One pass over the payload: opens it, walks entries through the checks, and on
// finish() hashes whatever libarchive did not need and compares the digest.
class PayloadWalk {
 public:
  PayloadWalk(const Package& package, const PayloadLimits& limits)
      : package_(package), limits_(limits),
        source_{package.fd(), package.trailer().payload_offset, package.trailer().payload_size} {
    archive_.reset(archive_read_new());
    // Only what appv writes: tar (ustar/pax) compressed with zstd. Nothing else is
    // parsed, so a package cannot steer libarchive into other format readers.
    archive_read_support_filter_zstd(archive_.get());
    archive_read_support_format_tar(archive_.get());
    if (archive_read_open(archive_.get(), &source_, nullptr, source_read, nullptr) != ARCHIVE_OK) fail_archive("cannot open payload");
  }

  struct archive* archive() { return archive_.get(); }

  // Next checked entry, or false at the end of the archive.
  bool next(archive_entry*& raw, PayloadEntry& out) {
    int r = archive_read_next_header(archive_.get(), &raw);
    if (r == ARCHIVE_EOF) return false;
    if (r != ARCHIVE_OK) fail_archive("cannot read payload");
    out = check(raw);
    return true;
  }

  [[noreturn]] void fail_archive(std::string_view what) {
    // A digest mismatch explains corruption better than the decoder's complaint.
    const char* detail = archive_error_string(archive_.get());
    std::string reason = !source_.error.empty() ? source_.error : detail ? detail : "unknown error";
    fail(fmt::format("{}: {}", what, reason));
  }

  [[noreturn]] void fail(std::string_view reason) {
    throw Error(Exit::BadInput, fmt::format("package '{}': {}", package_.path(), reason));
  }

  void count_data(uint64_t n) {
    total_bytes_ += n;
    if (total_bytes_ > limits_.max_total_bytes) {
      fail(fmt::format("payload expands beyond the limit of {} bytes", limits_.max_total_bytes));
    }
  }

  // The header states how many entries and file bytes the payload holds; a payload
  // that holds more is refused as soon as it passes the statement, before it can
  // fill a disk (a decompression bomb needs a header that lies).
  void check_declared(uint64_t entry_bytes) {
    declared_bytes_ += entry_bytes;
    if (declared_bytes_ > package_.header().unpacked_bytes) {
      fail(fmt::format("payload holds more than the {} bytes its header declares", package_.header().unpacked_bytes));
    }
    if (entries_ > package_.header().file_count) {
      fail(fmt::format("payload holds more than the {} entries its header declares", package_.header().file_count));
    }
  }

  void finish() {
    // Hash the tail libarchive never asked for (end-of-archive padding, zstd epilogue).
    const void* ignored;
    while (source_.remaining > 0) {
      if (source_read(nullptr, &source_, &ignored) < 0) fail(fmt::format("cannot read payload: {}", source_.error));
    }
    if (source_.hash.finish() != package_.trailer().payload_digest) {
      fail("payload digest mismatch (the payload was changed or corrupted)");
    }
    if (!saw_manifest_) fail("payload has no .appv/manifest.toml");
    check_links();
    if (stored_manifest_ != package_.header().manifest_text) {
      fail("the manifest in the payload differs from the one in the header");
    }
  }

  // Keeps the bytes of the stored manifest, to compare with the header's.
  void data(const PayloadEntry& entry, const void* bytes, size_t n) {
    count_data(n);
    if (entry.path == kManifestEntry) {
      if (stored_manifest_.size() + n > kMaxManifestSize) fail("the stored manifest is too large");
      stored_manifest_.append(static_cast<const char*>(bytes), n);
    }
  }

 private:
  // Checks that need every entry, because a link may become dangerous only with
  // entries that come after it in the archive: no entry below a link, and no chain
  // of links (each lexically inside) that resolves outside root/.
  void check_links() {
    for (const std::string& link : symlinks_) {
      auto below = seen_.lower_bound(link + "/");
      if (below != seen_.end() && below->rfind(link + "/", 0) == 0) {
        fail(fmt::format("entry '{}' lies below the symlink '{}'", *below, link));
      }
    }
    auto [path, why] = links_.first_escape();
    if (!path.empty()) {
      fail(fmt::format("symlink '{}/{}' -> '{}': {}", kRootEntry, path, links_.target(path), why));
    }
  }

  PayloadEntry check(archive_entry* e) {
    if (++entries_ > limits_.max_entries) fail(fmt::format("payload has more than {} entries", limits_.max_entries));
    PayloadEntry out;
    const char* name = archive_entry_pathname(e);
    out.path = name ? name : "";
    while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
    if (std::string why = unsafe_path_reason(out.path); !why.empty()) fail(fmt::format("entry '{}': {}", shown_name(out.path), why));
    bool in_root = out.path == kRootEntry || out.path.rfind(std::string(kRootEntry) + "/", 0) == 0;
    if (!in_root && out.path != ".appv" && out.path != kManifestEntry) {
      fail(fmt::format("entry '{}': outside root/ and .appv/", out.path));
    }
    if (!seen_.insert(out.path).second) fail(fmt::format("entry '{}' appears twice", out.path));

    mode_t mode = archive_entry_mode(e);
    out.mode = mode & 07777;
    if (mode & (S_ISUID | S_ISGID | S_ISVTX)) fail(fmt::format("entry '{}' has a setuid, setgid or sticky bit", out.path));

    if (const char* hard = archive_entry_hardlink(e)) {
      out.type = PayloadEntry::Type::Hardlink;
      out.link = hard;
      if (!regular_files_.count(out.link)) fail(fmt::format("entry '{}' is a hard link to '{}', which is not an earlier file of the package", out.path, out.link));
      // Data in a hard link entry would be written into the file it names, past the
      // sizes the header declares; appv's writer never puts any there.
      if (archive_entry_size_is_set(e) && archive_entry_size(e) != 0) fail(fmt::format("entry '{}' is a hard link that carries data", out.path));
    } else {
      switch (archive_entry_filetype(e)) {
        case AE_IFREG: out.type = PayloadEntry::Type::File; break;
        case AE_IFDIR: out.type = PayloadEntry::Type::Dir; break;
        case AE_IFLNK: {
          out.type = PayloadEntry::Type::Symlink;
          const char* target = archive_entry_symlink(e);
          out.link = target ? target : "";
          if (std::string why = unsafe_symlink_reason(out.path, out.link); !why.empty()) {
            fail(fmt::format("symlink '{}' -> '{}': {}", out.path, out.link, why));
          }
          break;
        }
        case AE_IFCHR: fail(fmt::format("entry '{}' is a character device", out.path));
        case AE_IFBLK: fail(fmt::format("entry '{}' is a block device", out.path));
        case AE_IFIFO: fail(fmt::format("entry '{}' is a FIFO", out.path));
        case AE_IFSOCK: fail(fmt::format("entry '{}' is a socket", out.path));
        default: fail(fmt::format("entry '{}' has an unknown type", out.path));
      }
    }
    if ((mode & S_IWOTH) && out.type != PayloadEntry::Type::Symlink) fail(fmt::format("entry '{}' is world-writable", out.path));
    if (out.path == kManifestEntry && out.type != PayloadEntry::Type::File) fail("the stored manifest is not a file");
    if (out.path == kManifestEntry) saw_manifest_ = true;

    la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    if (size < 0 || static_cast<uint64_t>(size) > limits_.max_entry_bytes) {
      fail(fmt::format("entry '{}' declares {} bytes, beyond the limit of {}", out.path, size, limits_.max_entry_bytes));
    }
    if (out.type == PayloadEntry::Type::File) {
      out.size = static_cast<uint64_t>(size);
      regular_files_.insert(out.path);
      check_declared(out.size);
    } else if (size != 0 && out.type != PayloadEntry::Type::Hardlink) {
      fail(fmt::format("entry '{}' is not a file but declares data", out.path));
    } else {
      check_declared(0);
    }
    // Symlinked directories must not be entered later: remember them so a child
    // entry below one is refused here, not only by libarchive at write time.
    for (size_t slash = out.path.find('/'); slash != std::string::npos; slash = out.path.find('/', slash + 1)) {
      std::string ancestor = out.path.substr(0, slash);
      if (symlinks_.count(ancestor)) fail(fmt::format("entry '{}' lies below the symlink '{}'", out.path, ancestor));
      if (regular_files_.count(ancestor) || hard_links_.count(ancestor)) fail(fmt::format("entry '{}' lies below the file '{}'", out.path, ancestor));
    }
    if (out.type == PayloadEntry::Type::Hardlink) hard_links_.insert(out.path);
    if (out.type == PayloadEntry::Type::Symlink) {
      symlinks_.insert(out.path);
      links_.add(out.path.substr(std::string(kRootEntry).size() + 1), out.link);
    }
    return out;
  }

  const Package& package_;
  PayloadLimits limits_;
  Source source_;
  std::unique_ptr<struct archive, ReadDeleter> archive_;
  uint64_t entries_ = 0;
  uint64_t total_bytes_ = 0;
  uint64_t declared_bytes_ = 0;
  bool saw_manifest_ = false;
  std::string stored_manifest_;
  std::set<std::string> seen_;
  std::set<std::string> regular_files_;
  std::set<std::string> symlinks_;
  std::set<std::string> hard_links_;
  LinkChains links_;  // below root/, for check_links()
};

// Restores the working directory when extraction is done (libarchive's secure
// extraction works on paths relative to the current directory).
bool dir_is_empty(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(path.c_str()), closedir);
  if (!d) throw_sys("cannot open", path, errno);
  while (dirent* ent = readdir(d.get())) {
    std::string_view n = ent->d_name;
    if (n != "." && n != "..") return false;
  }
  return true;
}

}  // namespace

std::string unsafe_path_reason(const std::string& path) {
  if (path.empty()) return "empty name";
  if (path.size() > kMaxPathBytes) return "name is too long";
  if (path[0] == '/') return "absolute path";
  if (!valid_utf8(path)) return "name is not valid UTF-8";
  size_t depth = 0;
  size_t start = 0;
  while (start <= path.size()) {
    if (++depth > kMaxDepth) return "nested too deeply";
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == ".") return "empty or '.' path component";
    if (part == "..") return "'..' path component";
    if (part.size() > kMaxNameBytes) return "path component is too long";
    start = end + 1;
  }
  return {};
}

std::string unsafe_symlink_reason(const std::string& link_path, const std::string& target) {
  if (target.empty()) return "empty target";
  if (target.size() > kMaxPathBytes) return "target is too long";
  if (!valid_utf8(target)) return "target is not valid UTF-8 or holds a control character";
  if (target[0] == '/') return "absolute target (appv stores links relative to the package root)";
  if (link_path.rfind(std::string(kRootEntry) + "/", 0) != 0) return "links are allowed only below root/";
  // Resolve lexically from the link's directory; the target may not climb above root/.
  // Depth counts components below root/: root/usr/bin/x lives at depth 2.
  long depth = -1;
  for (char c : link_path) depth += c == '/';
  size_t start = 0;
  while (start <= target.size()) {
    size_t end = target.find('/', start);
    if (end == std::string::npos) end = target.size();
    std::string_view part(target.data() + start, end - start);
    if (part == "..") {
      if (--depth < 0) return "target points outside the package";
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = end + 1;
  }
  return {};
}

void scan_payload(const Package& package, const std::function<void(const PayloadEntry&)>& each,
                  const PayloadLimits& limits) {
  PayloadWalk walk(package, limits);
  archive_entry* raw = nullptr;
  PayloadEntry entry;
  std::vector<char> buf(1 << 16);
  while (walk.next(raw, entry)) {
    // Read the data too: a truncated or corrupt entry must fail verification.
    for (;;) {
      la_ssize_t n = archive_read_data(walk.archive(), buf.data(), buf.size());
      if (n < 0) walk.fail_archive(fmt::format("cannot read '{}'", entry.path));
      if (n == 0) break;
      walk.data(entry, buf.data(), static_cast<size_t>(n));
    }
    each(entry);
  }
  walk.finish();
}

void extract_payload(const Package& package, const std::string& dir, const PayloadLimits& limits, Reporter& reporter) {
  PayloadWalk walk(package, limits);
  const std::string label = fmt::format("extracting {}", package.manifest().id);
  Progress progress{0, package.header().unpacked_bytes, 0, package.header().file_count};
  // Taken down however extraction ends.
  ScopeGuard end_progress([&] { reporter.progress_ended(label); });
  std::unique_ptr<struct archive, WriteDeleter> disk(archive_write_disk_new());
  // Secure flags refuse '..', absolute names and writes through symlinks; appv's own
  // checks above already refused those and more (link targets, devices, setuid).
  // No OWNER, XATTR, ACL or FFLAGS: nothing but names, data, permissions and times.
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM |
                                                 ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_NO_OVERWRITE);
  run_in_directory(dir, [&] {
    archive_entry* raw = nullptr;
    PayloadEntry entry;
    while (walk.next(raw, entry)) {
      archive_entry_set_pathname(raw, entry.path.c_str());
      archive_entry_set_uid(raw, getuid());
      archive_entry_set_gid(raw, getgid());
      if (archive_write_header(disk.get(), raw) != ARCHIVE_OK) {
        walk.fail(fmt::format("cannot extract '{}': {}", entry.path, archive_error_string(disk.get())));
      }
      const void* block;
      size_t size;
      la_int64_t offset;
      for (;;) {
        int r = archive_read_data_block(walk.archive(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r != ARCHIVE_OK) walk.fail_archive(fmt::format("cannot read '{}'", entry.path));
        walk.data(entry, block, size);
        if (archive_write_data_block(disk.get(), block, size, offset) != ARCHIVE_OK) {
          throw Error(Exit::Io, fmt::format("cannot write '{}/{}': {}", dir, entry.path, archive_error_string(disk.get())));
        }
        progress.bytes += size;
        reporter.progress(label, progress);
      }
      ++progress.files;
      reporter.progress(label, progress);
      if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK) {
        throw Error(Exit::Io, fmt::format("cannot write '{}/{}': {}", dir, entry.path, archive_error_string(disk.get())));
      }
    }
    if (archive_write_close(disk.get()) != ARCHIVE_OK) {
      throw Error(Exit::Io, fmt::format("cannot finish extraction into '{}': {}", dir, archive_error_string(disk.get())));
    }
  });
  walk.finish();
}

void extract_to(const Package& package, const std::string& dest, const PayloadLimits& limits, Reporter& reporter) {
  struct stat st;
  if (::lstat(dest.c_str(), &st) == 0 && !(S_ISDIR(st.st_mode) && dir_is_empty(dest))) {
    throw Error(Exit::Usage, fmt::format("'{}' already exists and is not an empty directory", dest));
  }
  std::string tmp = fmt::format("{}/.{}.appv-tmp.XXXXXX", parent_dir(dest), dest.substr(dest.find_last_of('/') + 1));
  if (!mkdtemp(tmp.data())) throw_sys("cannot create a temporary directory beside", dest, errno);
  ScopeGuard remove_tmp([&] { remove_tree_quietly(tmp); });
  extract_payload(package, tmp, limits, reporter);
  if (::rename(tmp.c_str(), dest.c_str()) != 0) throw_sys("cannot rename into place", dest, errno);
  remove_tmp.dismiss();
}

uint64_t verify_package(const Package& package) {
  package.verify_stub();
  uint64_t count = 0;
  scan_payload(package, [&](const PayloadEntry&) { ++count; });
  if (count != package.header().file_count) {
    throw Error(Exit::BadInput, fmt::format("package '{}': header says {} entries, payload has {}", package.path(),
                                            package.header().file_count, count));
  }
  return count;
}

}  // namespace appv
