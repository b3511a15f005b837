#include "base/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>  // renameat2, RENAME_NOREPLACE

#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fatal_signal_cleanup.h"
#include "base/fs_util.h"

namespace appv {
namespace {

// Twelve characters from [0-9a-z]: an attacker who can write the directory cannot
// guess the name, and O_EXCL refuses whatever is there anyway.
std::string random_suffix() {
  unsigned char bytes[12];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("cannot read random bytes for", "a temporary name", errno, Exit::Environment);
    got += static_cast<size_t>(n);
  }
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % 36];
  return out;
}

constexpr std::string_view kTempInfix = ".appv-tmp-";

}  // namespace

int remove_stale_temporaries(const std::string& path) {
  const std::string dir = parent_dir(path);
  const std::string prefix = "." + path.substr(path.find_last_of('/') + 1) + std::string(kTempInfix);
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return 0;
  DIR* d = ::fdopendir(::dup(dfd.get()));
  if (!d) return 0;
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = name.substr(prefix.size());
    const size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos) continue;  // no pid: not ours to judge
    pid_t pid = 0;
    bool digits = true;
    for (char c : rest.substr(0, dash)) {
      if (c < '0' || c > '9' || pid > 100000000) digits = false;
      else pid = pid * 10 + (c - '0');
    }
    if (!digits || pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // running (or not ours to ask): keep
    struct stat st;
    if (::fstatat(dfd.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid()) {
      continue;
    }
    stale.emplace_back(name);
  }
  ::closedir(d);
  int removed = 0;
  for (const std::string& name : stale) removed += ::unlinkat(dfd.get(), name.c_str(), 0) == 0;
  return removed;
}

AtomicFile::AtomicFile(std::string path) : AtomicFile(AT_FDCWD, path, path) {}

AtomicFile::AtomicFile(int dir_fd, std::string name, std::string path)
    : dir_fd_(dir_fd), name_(std::move(name)), path_(std::move(path)) {
  const std::string dir = parent_dir(path_);
  const std::string base = path_.substr(path_.find_last_of('/') + 1);
  for (int attempt = 0;; ++attempt) {
    const std::string temp_base = fmt::format(".{}{}{}-{}", base, kTempInfix, ::getpid(), random_suffix());
    std::string temp = dir + "/" + temp_base;
    fd_ = UniqueFd(::openat(dir_fd_, dir_fd_ == AT_FDCWD ? temp.c_str() : temp_base.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd_) {
      temp_name_ = dir_fd_ == AT_FDCWD ? temp : temp_base;
      temp_ = std::move(temp);
      cleanup_slot_ = register_for_cleanup(temp_.c_str());
      return;
    }
    if (errno != EEXIST || attempt == 10) throw_sys("cannot create", temp, errno);
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : dir_fd_(other.dir_fd_),
      name_(std::move(other.name_)),
      path_(std::move(other.path_)),
      temp_name_(std::exchange(other.temp_name_, {})),
      temp_(std::exchange(other.temp_, {})),
      fd_(std::move(other.fd_)),
      cleanup_slot_(std::exchange(other.cleanup_slot_, -1)) {}

AtomicFile::~AtomicFile() {
  // Removed before it is unregistered: a signal in between removes nothing twice.
  if (!temp_name_.empty()) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
  unregister_for_cleanup(cleanup_slot_);
}

void AtomicFile::committed() {
  unregister_for_cleanup(std::exchange(cleanup_slot_, -1));
  temp_name_.clear();
  temp_.clear();
  fd_.reset();
}

void AtomicFile::sync_dir() const {
  if (dir_fd_ == AT_FDCWD) return appv::sync_dir(parent_dir(path_));
  if (::fsync(dir_fd_) != 0) throw_sys("cannot sync directory", parent_dir(path_), errno);
}

void AtomicFile::commit(unsigned mode, std::string_view rename_op, Durability durability) {
  const bool synced = durability == Durability::Synced;
  if (::fchmod(fd_.get(), mode) != 0) throw_sys("cannot set the mode of", temp_, errno);
  if (synced && ::fsync(fd_.get()) != 0) throw_sys("cannot sync", temp_, errno);
  if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) throw_sys(rename_op, path_, errno);
  committed();
  if (synced) sync_dir();
}

void AtomicFile::commit_new(unsigned mode, Durability durability) {
  if (::fchmod(fd_.get(), mode) != 0) throw_sys("cannot set the mode of", temp_, errno);
  if (::fsync(fd_.get()) != 0) throw_sys("cannot sync", temp_, errno);
  const char* from = temp_name_.c_str();
  int err = ::renameat2(dir_fd_, from, dir_fd_, name_.c_str(), RENAME_NOREPLACE) == 0 ? 0 : errno;
  if (err == EINVAL || err == ENOSYS) {  // a file system without RENAME_NOREPLACE: link(2) never replaces either
    err = ::linkat(dir_fd_, from, dir_fd_, name_.c_str(), 0) == 0 ? 0 : errno;
    if (err == 0) ::unlinkat(dir_fd_, from, 0);
  }
  if (err == EEXIST) throw_sys("cannot create", path_, err, Exit::CantCreate);
  if (err != 0) throw_sys("cannot create", path_, err);
  committed();
  if (durability == Durability::Synced) sync_dir();
}

}  // namespace appv
