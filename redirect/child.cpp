#include "redirect/child.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "base/error.h"

namespace appv {
namespace {

volatile pid_t g_child = 0;

void forward_signal(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

}  // namespace

int run_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw_sys("cannot fork", "a child process", errno, Exit::Environment);
  if (pid == 0) ::_exit(body());
  g_child = pid;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  struct sigaction old[4];
  const int signals[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (int i = 0; i < 4; ++i) ::sigaction(signals[i], &sa, &old[i]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      for (int i = 0; i < 4; ++i) ::sigaction(signals[i], &old[i], nullptr);
      throw_sys("cannot wait for", "a child process", err);
    }
  }
  for (int i = 0; i < 4; ++i) ::sigaction(signals[i], &old[i], nullptr);
  g_child = 0;
  return status;
}

int shell_status(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

void exit_like(int wait_status) {
  if (WIFEXITED(wait_status)) std::exit(WEXITSTATUS(wait_status));
  const int sig = WTERMSIG(wait_status);
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
}

}  // namespace appv
