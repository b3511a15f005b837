#include "redirect/teardown.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/close_fds.h"
#include "base/fd_passing.h"
#include "base/pidfd.h"
#include "redirect/child_channel.h"
#include "vfs/sandbox_access.h"

namespace appv {
namespace {

// The holder, from its fork to its end: system calls only, no destructor of the
// launch's runs here.
[[noreturn]] void hold(int channel, int linger_lock) {
  ::setsid();
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 2; ++fd) {
    if (null >= 0) ::dup2(null, fd);
    else ::close(fd);
  }
  // Everything else goes at once, first the sandbox's lock the launch holds while it
  // enters the view (a copy here would keep it taken), then its pipes; a lingering
  // init's lock stays.
  close_fds_except({channel, linger_lock});
  // The lock and init's pidfd, in one message (hand_over), or init's pidfd alone
  // (watch: the lock is `linger_lock`); nothing (the end of the stream) if there is
  // nothing to hold. They are held from the moment they were sent, whether or not
  // this has received them yet.
  std::vector<UniqueFd> held = receive_fds(channel, linger_lock >= 0 ? 1 : 2);
  if (held.empty()) ::_exit(0);
  // A pidfd polls readable once its process has exited, which is after the kernel
  // released its namespaces: the overlays' teardown (and their syncs) ran in that
  // exit, before it became a zombie.
  pollfd p{held.back().get(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  ::_exit(0);
}

}  // namespace

TeardownHolder::TeardownHolder(const std::string& sandbox, int linger_lock)
    : sandbox_(sandbox), keeps_lock_(linger_lock >= 0) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return;
  UniqueFd mine(fds[0]), theirs(fds[1]);
  std::fflush(nullptr);
  const pid_t holder = ::fork();
  if (holder == 0) {
    mine.reset();
    hold(theirs.get(), linger_lock);
  }
  if (holder > 0) channel_ = std::move(mine);
}

bool TeardownHolder::watch(pid_t init) {
  const UniqueFd pidfd = open_pidfd(init);  // init is this process's child, not reaped
  const int fds[1] = {pidfd.get()};
  const bool sent = keeps_lock_ && channel_ && pidfd && send_fds(channel_.get(), fds);
  channel_.reset();
  return sent;
}

void TeardownHolder::hand_over(pid_t init) {
  // init is this process's unreaped child: its pid cannot have been reused.
  const UniqueFd pidfd = open_pidfd(init);
  if (channel_ && pidfd && !keeps_lock_) {
    const UniqueFd lock = lock_sandbox(sandbox_);
    // The instance is over: `sandbox list` and the next launch see it stopped now.
    forget_instance(sandbox_, init);
    const int fds[2] = {lock.get(), pidfd.get()};
    const bool sent = send_fds(channel_.get(), fds);
    channel_.reset();
    // Else init is reaped by whoever adopts it when this process ends.
    if (sent) return;
  }
  channel_.reset();
  wait_for(init);
}

}  // namespace appv
