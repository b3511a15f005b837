#include "base/fd_passing.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "base/raw_syscall.h"

namespace appv {

namespace {

// The one byte and the control message of a message passing up to kMaxPassedFds.
struct FdMessage {
  char byte;
  iovec io;
  alignas(cmsghdr) char control[CMSG_SPACE(kMaxPassedFds * sizeof(int))];
  msghdr m;

  // Field by field, without memset or memcpy: the child of send_fd_raw must not call
  // into a sanitizer's interceptors.
  APPV_CLONE_VM_CHILD FdMessage(const int* fds, size_t count) {
    byte = count == 0 ? 0 : 1;
    io.iov_base = &byte;
    io.iov_len = 1;
    m.msg_name = nullptr;
    m.msg_namelen = 0;
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = nullptr;
    m.msg_controllen = 0;
    m.msg_flags = 0;
    if (count > 0) {
      m.msg_control = control;
      m.msg_controllen = CMSG_SPACE(count * sizeof(int));
      cmsghdr* c = CMSG_FIRSTHDR(&m);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(count * sizeof(int));
      int* data = reinterpret_cast<int*>(CMSG_DATA(c));
      for (size_t i = 0; i < count; ++i) data[i] = fds[i];
    }
  }
};

}  // namespace

bool send_fds(int socket, std::span<const int> fds) {
  if (fds.size() > kMaxPassedFds) {
    errno = EINVAL;
    return false;
  }
  FdMessage message(fds.data(), fds.size());
  for (;;) {
    if (::sendmsg(socket, &message.m, MSG_NOSIGNAL) == 1) return true;
    if (errno != EINTR) return false;
  }
}

APPV_CLONE_VM_CHILD int send_fd_raw(int socket, int fd) {
  FdMessage message(&fd, fd < 0 ? 0 : 1);
  long r;
  while ((r = raw_syscall(SYS_sendmsg, socket, reinterpret_cast<long>(&message.m), MSG_NOSIGNAL)) == -EINTR) {
  }
  return r == 1 ? 0 : r < 0 ? static_cast<int>(-r) : EPIPE;
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
