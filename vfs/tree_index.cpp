#include "vfs/tree_index.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/fs_util.h"
#include "vfs/layout.h"

namespace appv {
namespace {

char kind_letter(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return 'd';
  if (S_ISREG(st.st_mode)) return 'f';
  if (S_ISLNK(st.st_mode)) return 'l';
  if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return 'w';
  return 'o';
}

// Appends "K path" for every entry below the directory `fd` (named `path` below the
// root, "" for the root itself). Returns false at a name with a newline.
bool collect(int fd, const std::string& path, const std::string& shown, std::vector<std::string>& lines) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
  if (!d) {
    const int err = errno;
    ::close(fd);
    throw_sys("cannot list", shown, err, Exit::Io);
  }
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0) throw_sys("cannot list", shown, errno, Exit::Io);
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (name.find('\n') != std::string_view::npos) return false;
    const std::string child = path + "/" + std::string(name);
    char kind = 0;
    switch (e->d_type) {
      case DT_DIR: kind = 'd'; break;
      case DT_REG: kind = 'f'; break;
      case DT_LNK: kind = 'l'; break;
      case DT_UNKNOWN:
      case DT_CHR: {
        struct stat st;
        if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          throw_sys("cannot look at", shown + child, errno, Exit::Io);
        }
        kind = kind_letter(st);
        break;
      }
      default: kind = 'o'; break;
    }
    lines.push_back(std::string(1, kind) + " " + child);
    if (kind != 'd') continue;
    const int sub = ::openat(::dirfd(d.get()), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) throw_sys("cannot open", shown + child, errno, Exit::Io);
    if (!collect(sub, child, shown, lines)) return false;
  }
  return true;
}

}  // namespace

bool write_tree_index(const std::string& root, const std::string& out) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw_sys("cannot open", root, errno, Exit::Io);
  std::vector<std::string> lines;
  if (!collect(fd, "", root, lines)) return false;
  // By path: the kind letter and its space are the same two bytes on every line.
  std::sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) { return a.compare(2, std::string::npos, b, 2) < 0; });
  std::string text;
  for (const std::string& l : lines) {
    text += l;
    text += '\n';
  }
  UniqueFd file(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file) throw_sys("cannot create", out, errno, Exit::Io);
  write_all(file.get(), text.data(), text.size(), out);
  return true;
}

std::optional<TreeIndex> TreeIndex::open(const std::string& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  // The user's own, written by appv with the tree: one another user could have made
  // or changed is not believed (its tree is then looked up on disk).
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 4 || st.st_uid != ::geteuid() ||
      (st.st_mode & 022) != 0) {
    return std::nullopt;
  }
  // Read, not mapped: a file cut short under a mapping would end the reader with SIGBUS.
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  if (text.back() != '\n' || text[1] != ' ' || text[2] != '/') return std::nullopt;
  return TreeIndex(std::move(text));
}

char TreeIndex::find(std::string_view path) const {
  // Lines are found from byte offsets: the line holding an offset starts after the
  // newline before it. [lo, hi) is a range of line starts still possible.
  const char* data = text_.data();
  const size_t size = text_.size();
  size_t lo = 0, hi = size;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (mid > lo) {
      const void* newline = ::memrchr(data + lo, '\n', mid - lo);
      mid = newline ? static_cast<size_t>(static_cast<const char*>(newline) - data) + 1 : lo;
    }
    const char* end = static_cast<const char*>(std::memchr(data + mid, '\n', size - mid));
    if (!end) return '\0';  // cannot happen: the last byte is a newline
    const size_t next = static_cast<size_t>(end - data) + 1;
    if (end - (data + mid) < 2) return '\0';  // a malformed line
    const std::string_view line_path(data + mid + 2, static_cast<size_t>(end - (data + mid) - 2));
    const int c = line_path.compare(path);
    if (c == 0) return data[mid];
    if (c < 0) {
      lo = next;
    } else {
      hi = mid;
    }
  }
  return '\0';
}

std::shared_ptr<const TreeIndex> package_tree_index(const std::string& package_root) {
  static std::mutex lock;
  static std::string read_for;
  static std::shared_ptr<const TreeIndex> read;
  const std::lock_guard<std::mutex> held(lock);
  if (read_for != package_root) {
    std::optional<TreeIndex> index = TreeIndex::open(layout::tree_index(parent_dir(package_root)));
    read = index ? std::make_shared<const TreeIndex>(std::move(*index)) : nullptr;
    read_for = package_root;
  }
  return read;
}

}  // namespace appv
