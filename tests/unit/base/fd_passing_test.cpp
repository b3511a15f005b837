// Descriptors over a Unix socket: in order, close-on-exec, a message without any, and
// a message with another number of them than asked (refused, and closed here).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/fd_passing.h"

using namespace appv;

namespace {

struct Pipe {
  UniqueFd read, write;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

struct Sockets {
  UniqueFd here, there;
  Sockets() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0);
    here.reset(fds[0]);
    there.reset(fds[1]);
  }
};

// What a byte written through `fd` reads as at `reader`.
char through(int fd, int reader) {
  const char sent = 'x';
  REQUIRE(::write(fd, &sent, 1) == 1);
  char got = 0;
  REQUIRE(::read(reader, &got, 1) == 1);
  return got;
}

}  // namespace

TEST_CASE("fd passing: two descriptors arrive in the order sent, close-on-exec") {
  Sockets s;
  Pipe a, b;
  const int fds[2] = {a.write.get(), b.write.get()};
  REQUIRE(send_fds(s.here.get(), fds));
  std::vector<UniqueFd> got = receive_fds(s.there.get(), 2);
  REQUIRE(got.size() == 2);
  CHECK(through(got[0].get(), a.read.get()) == 'x');
  CHECK(through(got[1].get(), b.read.get()) == 'x');
  CHECK((::fcntl(got[0].get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("fd passing: a message without descriptors says there are none") {
  Sockets s;
  REQUIRE(send_fd(s.here.get(), -1));
  CHECK_FALSE(receive_fd(s.there.get()));
}

TEST_CASE("fd passing: another number than asked is refused, and what came is closed") {
  Sockets s;
  Pipe a;
  REQUIRE(send_fd(s.here.get(), a.write.get()));
  CHECK(receive_fds(s.there.get(), 2).empty());
  // The only write end left was the one received: the pipe reads end-of-file.
  a.write.reset();
  ::fcntl(a.read.get(), F_SETFL, O_NONBLOCK);  // still open somewhere: EAGAIN, not a hang
  char byte = 0;
  CHECK(::read(a.read.get(), &byte, 1) == 0);
}

TEST_CASE("fd passing: more than four at once is refused before sending") {
  Sockets s;
  const int fds[5] = {0, 1, 2, 0, 1};
  CHECK_FALSE(send_fds(s.here.get(), fds));
  CHECK(errno == EINVAL);
}

TEST_CASE("fd passing: send_fd_raw sends one descriptor or none, returns the errno, and leaves errno alone") {
  Sockets s;
  Pipe a;
  errno = EBADMSG;
  REQUIRE(send_fd_raw(s.here.get(), a.write.get()) == 0);
  CHECK(errno == EBADMSG);
  UniqueFd got = receive_fd(s.there.get());
  REQUIRE(got);
  CHECK(through(got.get(), a.read.get()) == 'x');
  REQUIRE(send_fd_raw(s.here.get(), -1) == 0);
  CHECK_FALSE(receive_fd(s.there.get()));
  s.there.reset();
  CHECK(send_fd_raw(s.here.get(), a.write.get()) == EPIPE);
  CHECK(send_fd_raw(-1, a.write.get()) == EBADF);
  CHECK(errno == EBADMSG);
}
