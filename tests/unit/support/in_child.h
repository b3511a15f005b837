// Forked-child test helper for code that changes process-wide state (namespaces,
// mounts, capabilities, seccomp filters): the test process stays as it was.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <string>

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

// In a child from in_child: a mount namespace of its own whose mounts propagate
// nowhere, in a user namespace mapping the caller's uid when not root (so a test can
// mount a tmpfs as a user too). 0 on success, else the step that failed: 20 unshare
// (root), 21 unshare (user), 22 making the mounts private.
inline int enter_private_mount_namespace() {
  if (::geteuid() == 0) {
    if (::unshare(CLONE_NEWNS) != 0) return 20;
  } else {
    const uid_t uid = ::geteuid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return 21;
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << std::to_string(uid) + " " + std::to_string(uid) + " 1";
  }
  return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 ? 0 : 22;
}

}  // namespace appv::test
