#include "base/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/scope_guard.h"
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
  uint64_t left = size;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in, &in_off, out, nullptr, left, 0);
    if (n < 0 && errno == EINTR) continue;
    // Between file systems (EXDEV: a package in /tmp on tmpfs, installed into a home
    // on ext4), on file systems without it (EINVAL, EOPNOTSUPP) and on kernels before
    // 4.5 (ENOSYS): read and write instead, from where it stopped.
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) break;
    if (n <= 0) throw_sys("cannot copy", path, n < 0 ? errno : EIO);
    left -= static_cast<uint64_t>(n);
  }
  std::vector<char> buf(left > 0 ? std::min<uint64_t>(left, 1 << 20) : 0);
  while (left > 0) {
    ssize_t n = ::pread(in, buf.data(), std::min<uint64_t>(left, buf.size()), in_off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_sys("cannot read", path, n < 0 ? errno : EIO);
    in_off += n;
    left -= static_cast<uint64_t>(n);
    for (const char* p = buf.data(); n > 0;) {
      ssize_t w = ::write(out, p, static_cast<size_t>(n));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw_sys("cannot write a copy of", path, errno);
      p += w;
      n -= w;
    }
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

void run_in_directory(const std::string& dir, const std::function<void()>& body) {
  std::exception_ptr failed;
  std::thread worker([&] {
    try {
      UniqueFd back;  // only when this thread shares the process's working directory
      if (::unshare(CLONE_FS) != 0) {
        back.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!back) throw_sys("cannot open the current directory (to return to it after entering '" + dir + "')", ".", errno);
      }
      if (::chdir(dir.c_str()) != 0) throw_sys("cannot enter", dir, errno);
      ScopeGuard go_back([&] {
        if (back && ::fchdir(back.get()) != 0) return;  // nothing sensible to do; appv uses absolute paths
      });
      body();
    } catch (...) {
      failed = std::current_exception();
    }
  });
  worker.join();
  if (failed) std::rethrow_exception(failed);
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
