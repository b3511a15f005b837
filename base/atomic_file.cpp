#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include <fmt/format.h>

#include "base/error.h"
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

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const std::string dir = parent_dir(path_);
  const std::string base = path_.substr(path_.find_last_of('/') + 1);
  for (int attempt = 0;; ++attempt) {
    std::string temp = fmt::format("{}/.{}.appv-tmp-{}", dir, base, random_suffix());
    fd_ = UniqueFd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd_) {
      temp_ = std::move(temp);
      return;
    }
    if (errno != EEXIST || attempt == 10) throw_sys("cannot create", temp, errno);
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::exchange(other.temp_, {})), fd_(std::move(other.fd_)) {}

AtomicFile::~AtomicFile() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::commit(unsigned mode, std::string_view rename_op, Durability durability) {
  const bool synced = durability == Durability::Synced;
  if (::fchmod(fd_.get(), mode) != 0) throw_sys("cannot set the mode of", temp_, errno);
  if (synced && ::fsync(fd_.get()) != 0) throw_sys("cannot sync", temp_, errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) throw_sys(rename_op, path_, errno);
  temp_.clear();
  fd_.reset();
  if (synced) sync_dir(parent_dir(path_));
}

}  // namespace appv
