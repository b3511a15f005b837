#include "vfs/package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/fs_util.h"

namespace appv {

Package Package::open(const std::string& path) {
  Package p;
  p.path_ = path;
  p.fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!p.fd_) throw_sys("cannot open package", path, errno, Exit::NoInput);
  struct stat st;
  if (fstat(p.fd_.get(), &st) != 0) throw_sys("cannot stat package", path, errno, Exit::NoInput);
  if (!S_ISREG(st.st_mode)) throw Error(Exit::BadInput, fmt::format("package '{}': not a regular file", path));
  p.file_size_ = static_cast<uint64_t>(st.st_size);
  if (p.file_size_ < kTrailerSize + kHeaderFixedSize) {
    throw Error(Exit::BadInput, fmt::format("package '{}': file is too small to be an appv package ({} bytes)", path, p.file_size_));
  }

  std::vector<uint8_t> trailer = read_exact_at(p.fd_.get(), p.file_size_ - kTrailerSize, kTrailerSize, path);
  p.trailer_ = decode_trailer(trailer, p.file_size_, path);

  std::vector<uint8_t> header = read_exact_at(p.fd_.get(), p.trailer_.header_offset, p.trailer_.header_size, path);
  if (sha256(header.data(), header.size()) != p.trailer_.header_digest) {
    throw Error(Exit::BadInput, fmt::format("package '{}': header digest mismatch (the header or manifest was changed)", path));
  }
  p.header_ = decode_header(header, path);
  p.manifest_ = parse_manifest(p.header_.manifest_text, fmt::format("{}(manifest)", path));
  const uint64_t region = p.file_size_ - kTrailerSize - p.signatures_offset();
  if (region > 0) {
    std::vector<uint8_t> bytes = read_exact_at(p.fd_.get(), p.signatures_offset(), region, path);
    p.signatures_ = decode_signatures(bytes, path);
  }
  return p;
}

void add_signature(const Package& package, const Signature& signature) {
  const std::string& path = package.path();
  const std::vector<uint8_t> frame = encode_signature(signature);
  if (package.file_size() - kTrailerSize - package.signatures_offset() + frame.size() > kMaxSignatureRegion) {
    throw Error(Exit::Usage, fmt::format("package '{}' has no room for another signature", path));
  }
  struct stat st;
  if (::fstat(package.fd(), &st) != 0) throw_sys("cannot stat package", path, errno);
  AtomicFile out(path);
  // Everything up to the trailer (copy_file_range shares extents where the file
  // system can), the new frame, then the unchanged trailer.
  const uint64_t keep = package.file_size() - kTrailerSize;
  copy_bytes(package.fd(), out.fd(), keep, path);
  write_all(out.fd(), frame.data(), frame.size(), out.temp_path());
  std::vector<uint8_t> trailer = read_exact_at(package.fd(), keep, kTrailerSize, path);
  write_all(out.fd(), trailer.data(), trailer.size(), out.temp_path());
  out.commit(st.st_mode & 07777, "cannot replace");
}

void Package::verify_stub() const {
  const uint64_t size = trailer_.header_offset;
  Digest digest{};
  if (size > 0) {
    std::vector<uint8_t> stub = read_exact_at(fd_.get(), 0, size, path_);
    digest = sha256(stub.data(), stub.size());
  }
  if (digest != header_.stub_digest) {
    throw Error(Exit::BadInput, fmt::format("package '{}': runtime stub digest mismatch (the executable part was changed)", path_));
  }
}

}  // namespace appv
