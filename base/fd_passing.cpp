#include "base/fd_passing.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace appv {

bool send_fds(int socket, std::span<const int> fds) {
  if (fds.size() > kMaxPassedFds) {
    errno = EINVAL;
    return false;
  }
  char byte = fds.empty() ? 0 : 1;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(kMaxPassedFds * sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  if (!fds.empty()) {
    m.msg_control = control;
    m.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  for (;;) {
    if (::sendmsg(socket, &m, MSG_NOSIGNAL) == 1) return true;
    if (errno != EINTR) return false;
  }
}

std::vector<UniqueFd> receive_fds(int socket, size_t count) {
  std::vector<UniqueFd> out;
  if (count == 0 || count > kMaxPassedFds) return out;
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(kMaxPassedFds * sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(socket, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != 1) return out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    std::vector<UniqueFd> fds;
    for (size_t i = 0; i < got; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.emplace_back(fd);  // owned, also when there are more than asked: closed here
    }
    if (got == count) out = std::move(fds);
    return out;
  }
  return out;
}

bool send_fd(int socket, int fd) {
  if (fd < 0) return send_fds(socket, {});
  return send_fds(socket, std::span<const int>(&fd, 1));
}

UniqueFd receive_fd(int socket) {
  std::vector<UniqueFd> fds = receive_fds(socket, 1);
  return fds.empty() ? UniqueFd() : std::move(fds[0]);
}

}  // namespace appv
