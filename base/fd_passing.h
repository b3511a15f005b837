// Passing descriptors between processes over a Unix socket (SCM_RIGHTS, unix(7)): one
// byte of data carries them, so that a message without descriptors still says there
// are none.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "base/unique_fd.h"

namespace appv {

// Sends `fds` (at most kMaxPassedFds; none: a message without any) in one message.
// Retries on EINTR; returns false on any other failure (errno set).
inline constexpr size_t kMaxPassedFds = 4;
bool send_fds(int socket, std::span<const int> fds);

// send_fd made with a raw system call (base/raw_syscall.h), allocating nothing and
// leaving errno alone, for a child that shares its parent's memory (CLONE_VM).
// Returns 0 or the errno of sendmsg(2) (EPIPE for a message not sent whole).
int send_fd_raw(int socket, int fd);

// The `count` descriptors of one message (close-on-exec), in the order sent; empty
// when the message carried another number of them, none, or the socket was closed.
std::vector<UniqueFd> receive_fds(int socket, size_t count);

// One descriptor, or (`fd` < 0) a message saying there is none.
bool send_fd(int socket, int fd);
// The one descriptor of a message, or none.
UniqueFd receive_fd(int socket);

}  // namespace appv
