#include "base/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {

std::vector<uint8_t> read_exact_at(int fd, uint64_t offset, uint64_t size, const std::string& path) {
  std::vector<uint8_t> out(size);
  uint64_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read", path, errno);
    if (n == 0) throw Error(Exit::BadInput, fmt::format("package '{}': file is truncated", path));
    done += static_cast<uint64_t>(n);
  }
  return out;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void write_all(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot write", path, errno);
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void make_dirs(const std::string& path, unsigned mode) {
  if (path.empty()) return;
  // Every launch asks for the sandbox's directories again; when they exist (the
  // usual case) one stat answers instead of a mkdir per path component.
  struct stat existing;
  if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) return;
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) throw_sys("cannot create directory", partial, errno);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_sys("cannot create directory", path, errno);
  if (!S_ISDIR(st.st_mode)) throw_sys("cannot create directory", path, ENOTDIR);
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void sync_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) throw_sys("cannot sync directory", path, errno);
}

}  // namespace appv

namespace appv {

std::string shown_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  if (out.size() > 120) out = out.substr(0, 60) + "..." + out.substr(out.size() - 40);
  return out;
}

void write_file_atomic(const std::string& path, const std::string& content, unsigned mode, Durability durability) {
  AtomicFile file(path);
  write_all(file.fd(), content.data(), content.size(), file.temp_path());
  file.commit(mode, "cannot rename into place", durability);
}

void copy_bytes(int in, int out, uint64_t size, const std::string& path) {
  loff_t in_off = 0;
  for (uint64_t left = size; left > 0;) {
    ssize_t n = ::copy_file_range(in, &in_off, out, nullptr, left, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_sys("cannot copy", path, n < 0 ? errno : EIO);
    left -= static_cast<uint64_t>(n);
  }
}

void copy_file_atomic(const std::string& from, const std::string& to, unsigned mode) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) throw_sys("cannot open", from, errno, Exit::NoInput);
  copy_file_atomic(in.get(), from, to, mode);
}

void copy_file_atomic(int from_fd, const std::string& from, const std::string& to, unsigned mode) {
  struct stat st {};
  if (::fstat(from_fd, &st) != 0) throw_sys("cannot stat", from, errno);
  AtomicFile out(to);
  copy_bytes(from_fd, out.fd(), static_cast<uint64_t>(st.st_size), from);
  out.commit(mode);
}

ScopedChdir::ScopedChdir(const std::string& dir) : old_(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
  if (!old_) throw_sys("cannot open current directory", ".", errno);
  if (::chdir(dir.c_str()) != 0) throw_sys("cannot enter", dir, errno);
}

ScopedChdir::~ScopedChdir() {
  // Nothing sensible to do if this fails; appv uses absolute paths afterwards.
  if (::fchdir(old_.get()) != 0) return;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    throw_sys("cannot list", dir, errno);
  }
  while (dirent* e = ::readdir(d.get())) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") out.emplace_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace appv
