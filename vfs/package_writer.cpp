// Writes a package: [stub] header payload trailer, into a temporary file that is
// renamed over the destination only when everything is written and synced.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "base/text.h"
#include "vfs/package.h"

namespace appv {
namespace {

// Where libarchive's compressed output goes: the package file, hashed on the way.
struct Sink {
  int fd;
  const std::string* path;
  Sha256 hash;
  uint64_t bytes = 0;
  std::string error;
};

la_ssize_t sink_write(struct archive*, void* ctx, const void* data, size_t size) {
  auto* sink = static_cast<Sink*>(ctx);
  try {
    write_all(sink->fd, data, size, *sink->path);
  } catch (const Error& e) {
    sink->error = e.what();
    return -1;
  }
  sink->hash.update(data, size);
  sink->bytes += size;
  return static_cast<la_ssize_t>(size);
}

struct ArchiveWriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

[[noreturn]] void archive_fail(struct archive* a, const Sink& sink, std::string_view what) {
  std::string reason = !sink.error.empty() ? sink.error : archive_error_string(a) ? archive_error_string(a) : "unknown error";
  throw Error(Exit::Io, fmt::format("{}: {}", what, reason));
}

// The data regions of a file with holes (SEEK_DATA/SEEK_HOLE), or nothing for a
// file without: a sparse file is packed as GNU pax sparse (format 1.0) and extracted
// with its holes, so a 1 GiB disk image that holds 1 MB takes 1 MB in the cache too.
struct Region {
  int64_t offset, length;
};
std::vector<Region> data_regions(int fd, const struct stat& st) {
  std::vector<Region> out;
  if (st.st_size < (1 << 16) || st.st_blocks * 512 >= st.st_size) return out;
  for (off_t at = 0; at < st.st_size;) {
    const off_t data = ::lseek(fd, at, SEEK_DATA);
    if (data < 0) break;  // ENXIO: a hole to the end
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) hole = st.st_size;
    out.push_back({data, hole - data});
    at = hole;
  }
  if (out.size() == 1 && out[0].offset == 0 && out[0].length == st.st_size) out.clear();  // no hole after all
  // GNU tar's convention for a file ending in a hole (or all hole): an empty region at the end.
  if (!out.empty() || st.st_size > 0) {
    if (out.empty() || out.back().offset + out.back().length < st.st_size) out.push_back({st.st_size, 0});
  }
  return out;
}

// Copies `expected` bytes of `in` as the entry's data. With `regions`, the holes
// between them are given to libarchive as zeros from one static block, which its
// sparse writer skips instead of storing.
void copy_file_data(struct archive* a, const Sink& sink, const PayloadItem& item, int in, uint64_t expected,
                    const std::vector<Region>& regions, const std::function<void(uint64_t)>& copied) {
  static const std::vector<char> zeros(1 << 18, 0);
  std::vector<char> buf(1 << 18);
  uint64_t total = 0;
  auto put = [&](const char* data, size_t n) {
    if (archive_write_data(a, data, n) != static_cast<la_ssize_t>(n)) archive_fail(a, sink, fmt::format("cannot write '{}'", item.path));
    total += n;
    copied(n);
  };
  auto copy_range = [&](uint64_t offset, uint64_t length) {
    while (length > 0) {
      const ssize_t n = ::pread(in, buf.data(), std::min<uint64_t>(buf.size(), length), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_sys("cannot read", item.source, errno);
      if (n == 0) throw Error(Exit::Io, fmt::format("'{}' changed size while it was being packed", item.source));
      put(buf.data(), static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
      length -= static_cast<uint64_t>(n);
    }
  };
  if (regions.empty()) {
    copy_range(0, expected);
    char extra;
    if (::pread(in, &extra, 1, static_cast<off_t>(expected)) > 0) {
      throw Error(Exit::Io, fmt::format("'{}' changed size while it was being packed", item.source));
    }
    return;
  }
  for (const Region& r : regions) {
    for (uint64_t gap = static_cast<uint64_t>(r.offset) - total; gap > 0;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(gap, zeros.size()));
      put(zeros.data(), n);
      gap -= n;
    }
    copy_range(static_cast<uint64_t>(r.offset), static_cast<uint64_t>(r.length));
  }
  if (total != expected) throw Error(Exit::Io, fmt::format("'{}' changed size while it was being packed", item.source));
}

}  // namespace

WriteResult write_package(const std::string& out_path, const std::string& manifest_text,
                          const std::vector<PayloadItem>& root_items, const WriteOptions& options) {
  // The stored manifest comes first; the caller's items follow in their sorted order.
  std::vector<PayloadItem> items;
  items.reserve(root_items.size() + 2);
  items.push_back({".appv", PayloadItem::Type::Dir, 0755, {}, {}, {}});
  items.push_back({kManifestEntry, PayloadItem::Type::File, 0644, {}, {}, manifest_text});
  items.insert(items.end(), root_items.begin(), root_items.end());

  // Sizes are taken up front so the header can state them; a file that changes
  // size before it is copied fails the pack rather than producing a wrong package.
  std::vector<uint64_t> sizes(items.size(), 0);
  // Host files with several names in the package are written once; each later name
  // becomes a hard link to the first (tar's way), so the cache holds one copy too.
  std::vector<const std::string*> hard_link_to(items.size(), nullptr);
  std::map<std::pair<dev_t, ino_t>, size_t> first_item;
  WriteResult result;
  result.header.manifest_text = manifest_text;
  for (size_t i = 0; i < items.size(); ++i) {
    const PayloadItem& item = items[i];
    if ((item.mode & 07002) && item.type != PayloadItem::Type::Symlink) throw Error(Exit::Internal, fmt::format("'{}' has setuid/setgid/sticky or world-write bits", item.path));
    if (!valid_utf8(item.path) || !valid_utf8(item.link_target)) {
      throw Error(Exit::NoInput, fmt::format("'{}': the name{} is not valid UTF-8, which packages require", printable(item.path),
                                             valid_utf8(item.path) ? "'s link target" : ""));
    }
    if (item.type != PayloadItem::Type::File) continue;
    if (item.source.empty()) {
      sizes[i] = item.data.size();
    } else {
      struct stat st;
      if (::lstat(item.source.c_str(), &st) != 0) throw_sys("cannot stat", item.source, errno, Exit::NoInput);
      if (!S_ISREG(st.st_mode)) throw Error(Exit::NoInput, fmt::format("'{}' is not a regular file", item.source));
      sizes[i] = item.size >= 0 ? static_cast<uint64_t>(item.size) : static_cast<uint64_t>(st.st_size);
      if (st.st_nlink > 1) {
        auto [it, first] = first_item.emplace(std::pair(st.st_dev, st.st_ino), i);
        // Names given other permissions than the first stay copies.
        if (!first && items[it->second].mode == item.mode) {
          hard_link_to[i] = &items[it->second].path;
          sizes[i] = 0;
          continue;
        }
      }
    }
    result.header.unpacked_bytes += sizes[i];
  }
  result.header.file_count = items.size();

  // What a killed pack of the same file left beside it goes first.
  remove_stale_temporaries(out_path);
  AtomicFile tmp(out_path);
  uint64_t offset = 0;
  if (!options.stub.empty()) {
    UniqueFd stub(::open(options.stub.c_str(), O_RDONLY | O_CLOEXEC));
    if (!stub) throw_sys("cannot open runtime stub", options.stub, errno, Exit::NoInput);
    struct stat st;
    if (fstat(stub.get(), &st) != 0) throw_sys("cannot stat", options.stub, errno);
    std::vector<uint8_t> bytes = read_exact_at(stub.get(), 0, static_cast<uint64_t>(st.st_size), options.stub);
    write_all(tmp.fd(), bytes.data(), bytes.size(), tmp.temp_path());
    result.header.stub_digest = sha256(bytes.data(), bytes.size());
    offset = bytes.size();
  }

  std::vector<uint8_t> header = encode_header(result.header);
  write_all(tmp.fd(), header.data(), header.size(), tmp.temp_path());
  Trailer& trailer = result.trailer;
  trailer.header_offset = offset;
  trailer.header_size = header.size();
  trailer.header_digest = sha256(header.data(), header.size());
  trailer.payload_offset = offset + header.size();

  Sink sink{tmp.fd(), &tmp.temp_path(), {}, 0, {}};
  std::unique_ptr<struct archive, ArchiveWriteDeleter> a(archive_write_new());
  // pax_restricted writes plain ustar headers unless a name or size needs pax, and
  // never records atime/ctime: output depends on the items alone.
  archive_write_set_format_pax_restricted(a.get());
  // Names are bytes, as Linux keeps them: no conversion through the process's locale
  // (libarchive's default, which refuses every non-ASCII name in the "C" locale).
  // A name ustar cannot hold goes into a pax header marked hdrcharset=BINARY.
  if (archive_write_set_format_option(a.get(), "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) {
    archive_fail(a.get(), sink, "cannot keep names as bytes");
  }
  archive_write_add_filter_zstd(a.get());
  // zstd's multi-threaded mode produces the same bytes for any number of workers >= 1,
  // so packages are reproducible across machines with different CPU counts.
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string zopts = fmt::format("zstd:compression-level={},zstd:threads={}", options.compression_level, threads);
  if (archive_write_set_options(a.get(), zopts.c_str()) != ARCHIVE_OK) archive_fail(a.get(), sink, "cannot set zstd options");
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open2(a.get(), &sink, nullptr, sink_write, nullptr, nullptr) != ARCHIVE_OK) {
    archive_fail(a.get(), sink, "cannot start payload");
  }

  // Progress counts what the header states: every item, and the bytes of the files.
  const std::string label = fmt::format("writing {}", out_path.substr(out_path.find_last_of('/') + 1));
  Progress progress{0, result.header.unpacked_bytes, 0, items.size()};
  Reporter& reporter = options.reporter ? *options.reporter : silent_reporter();
  ScopeGuard end_progress([&] { reporter.progress_ended(label); });
  const auto copied = [&](uint64_t n) {
    progress.bytes += n;
    reporter.progress(label, progress);
  };

  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  for (size_t i = 0; i < items.size(); ++i) {
    const PayloadItem& item = items[i];
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), item.path.c_str());
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_mtime(entry.get(), item.mtime >= 0 ? std::min(item.mtime, options.clamp) : options.mtime, 0);
    archive_entry_set_perm(entry.get(), item.mode & 0777);
    switch (item.type) {
      case PayloadItem::Type::Dir:
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        break;
      case PayloadItem::Type::Symlink:
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_set_symlink(entry.get(), item.link_target.c_str());
        break;
      case PayloadItem::Type::File:
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(sizes[i]));
        if (hard_link_to[i]) archive_entry_set_hardlink(entry.get(), hard_link_to[i]->c_str());
        break;
    }
    UniqueFd source;
    std::vector<Region> regions;
    if (item.type == PayloadItem::Type::File && !hard_link_to[i] && !item.source.empty()) {
      source.reset(::open(item.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
      if (!source) throw_sys("cannot open", item.source, errno, Exit::NoInput);
      struct stat st;
      if (::fstat(source.get(), &st) != 0) throw_sys("cannot stat", item.source, errno);
      if (static_cast<uint64_t>(st.st_size) == sizes[i]) regions = data_regions(source.get(), st);
      for (const Region& r : regions) archive_entry_sparse_add_entry(entry.get(), r.offset, r.length);
    }
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) archive_fail(a.get(), sink, fmt::format("cannot write '{}'", item.path));
    if (item.type == PayloadItem::Type::File && !hard_link_to[i]) {
      if (item.source.empty()) {
        auto n = archive_write_data(a.get(), item.data.data(), item.data.size());
        if (n != static_cast<la_ssize_t>(item.data.size())) archive_fail(a.get(), sink, fmt::format("cannot write '{}'", item.path));
        copied(item.data.size());
      } else {
        copy_file_data(a.get(), sink, item, source.get(), sizes[i], regions, copied);
      }
    }
    ++progress.files;
    reporter.progress(label, progress);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) archive_fail(a.get(), sink, "cannot finish payload");

  trailer.payload_size = sink.bytes;
  trailer.payload_digest = sink.hash.finish();
  std::vector<uint8_t> tail = encode_trailer(trailer);
  write_all(tmp.fd(), tail.data(), tail.size(), tmp.temp_path());
  result.file_size = trailer.payload_offset + trailer.payload_size + tail.size();
  tmp.commit(options.stub.empty() ? 0644 : 0755);
  return result;
}

}  // namespace appv
