// Opening a package file (trailer and header only) and writing one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifests/manifest.h"
#include "vfs/package_format.h"
#include "vfs/signature.h"
#include "base/reporter.h"
#include "base/unique_fd.h"

namespace appv {

// An open package: trailer and header read and checked, manifest parsed. The payload
// is not touched; payload.h reads it.
class Package {
 public:
  // Throws Exit::NoInput if the file cannot be opened, Exit::BadInput if it is not a
  // sound package (bad magic, truncated, header digest mismatch, invalid manifest).
  static Package open(const std::string& path);

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }
  uint64_t file_size() const { return file_size_; }
  const Trailer& trailer() const { return trailer_; }
  const Header& header() const { return header_; }
  const Manifest& manifest() const { return manifest_; }
  // The signatures stored in the file (not yet checked: signature_valid() does that).
  const std::vector<Signature>& signatures() const { return signatures_; }
  // Where the signatures region starts (the end of the payload).
  uint64_t signatures_offset() const { return trailer_.payload_offset + trailer_.payload_size; }
  // Hex SHA-256 of the payload: the package's identity in the cache.
  std::string digest() const { return to_hex(trailer_.payload_digest); }
  // Checks the runtime stub (the bytes before the header) against the header's
  // digest. Throws Exit::BadInput on a mismatch. Reads the whole stub: `verify` calls
  // it, a launch does not.
  void verify_stub() const;

 private:
  std::string path_;
  UniqueFd fd_;
  uint64_t file_size_ = 0;
  Trailer trailer_;
  Header header_;
  Manifest manifest_;
  std::vector<Signature> signatures_;
};

// Adds `signature` to the package file at `path`: a copy with the signature frame
// inserted before the trailer is renamed over it, so a crash leaves either file.
void add_signature(const Package& package, const Signature& signature);

// One entry to write into the payload. Archive paths are relative ("root/usr/bin/jq").
struct PayloadItem {
  enum class Type { File, Dir, Symlink };
  std::string path;
  Type type = Type::File;
  uint32_t mode = 0644;      // permission bits only; setuid/setgid/sticky are refused
  std::string source;        // File: the host file to copy
  std::string link_target;   // Symlink
  std::string data;          // File with an empty source: these bytes
  int64_t mtime = -1;        // File: its own time (clamped, see WriteOptions); -1: WriteOptions::mtime
  int64_t size = -1;         // File: its size if the caller knows it (saves a stat); checked when copied
};

struct WriteOptions {
  // Times: files keep their own, clamped to `clamp` (Python's bytecode caches and
  // make-like tools compare them); directories, links and the manifest get `mtime`.
  // With SOURCE_DATE_EPOCH both are it, as reproducible-builds.org recommends.
  int64_t mtime = 0;
  int64_t clamp = INT64_MAX;
  int compression_level = 3;  // zstd level
  int threads = 0;            // zstd workers; 0 picks the number of CPUs
  std::string stub;           // optional runtime stub copied in front of the header
  // Told how writing goes ("writing NAME.appv": items and file bytes of the header's
  // totals); none when null.
  Reporter* reporter = nullptr;
};

struct WriteResult {
  Trailer trailer;
  Header header;
  uint64_t file_size = 0;
};

// Writes `items` (sorted by path by the caller) to `out_path` atomically: a temporary
// file beside it is renamed into place only when complete, so a failure leaves no
// partial package behind.
WriteResult write_package(const std::string& out_path, const std::string& manifest_text,
                          const std::vector<PayloadItem>& items, const WriteOptions& options);

// The archive path of the stored manifest and of the packaged tree.
inline constexpr const char* kManifestEntry = ".appv/manifest.toml";
inline constexpr const char* kRootEntry = "root";

// The virtual path of a payload entry under root/: "root/usr/bin/jq" -> "/usr/bin/jq",
// "root" -> "/". nullopt for entries outside root/ (.appv/... is appv's own).
inline std::optional<std::string> virtual_path_of(std::string_view archive_path) {
  const std::string_view root = kRootEntry;
  if (archive_path == root) return std::string("/");
  if (archive_path.size() > root.size() && archive_path.substr(0, root.size()) == root && archive_path[root.size()] == '/') {
    return std::string(archive_path.substr(root.size()));
  }
  return std::nullopt;
}

}  // namespace appv
