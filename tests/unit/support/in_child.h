// Forked-child test helper for code that changes process-wide state (namespaces,
// mounts, capabilities, seccomp filters): the test process stays as it was.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <functional>

namespace appv::test {

// Runs `body` in a forked child and returns its exit status (-1 if it did not exit).
// The child never returns into Catch: an exception becomes status 99 with the message
// on stderr.
inline int in_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 98;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 99;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace appv::test
