#include "redirect/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

volatile pid_t g_child = 0;

// Every signal whose default ends a process and that can be caught: appv must outlive
// the app to clean up after it (--temp), so it passes them on and dies of the same one
// afterwards (exit_like). SIGKILL and SIGSTOP cannot be caught; the stop signals of the
// terminal reach the app directly (same process group).
constexpr int kForwarded[] = {SIGHUP,  SIGINT,  SIGQUIT,   SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE,
                              SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPWR};

void forward_signal(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

}  // namespace

namespace {

// The child's side: status (4 bytes, native order) then the message.
[[noreturn]] void send_error(int fd, Exit code, const char* message) {
  const int status = static_cast<int>(code);
  std::string text(reinterpret_cast<const char*>(&status), sizeof status);
  text += message;
  // Best effort: the parent reports a child that died without a word as well.
  (void)!::write(fd, text.data(), text.size());
  ::_exit(static_cast<int>(code));
}

// The parent's side: everything the child wrote before exec closed the pipe.
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) return out;
  }
}

}  // namespace

int run_child(const std::function<void()>& body) {
  int channel[2];
  if (::pipe2(channel, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe to the child", errno, Exit::Environment);
  UniqueFd reader(channel[0]), writer(channel[1]);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw_sys("cannot fork", "a child process", errno, Exit::Environment);
  if (pid == 0) {
    reader.reset();
    try {
      body();
      send_error(writer.get(), Exit::Internal, "the child returned without exec'ing");
    } catch (const Error& e) {
      send_error(writer.get(), e.code(), e.what());
    } catch (const std::exception& e) {
      send_error(writer.get(), Exit::Internal, e.what());
    }
  }
  writer.reset();
  g_child = pid;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  struct sigaction old[std::size(kForwarded)];
  for (size_t i = 0; i < std::size(kForwarded); ++i) ::sigaction(kForwarded[i], &sa, &old[i]);
  const std::string failure = read_all(reader.get());
  int status = 0;
  int wait_errno = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      wait_errno = errno;
      break;
    }
  }
  for (size_t i = 0; i < std::size(kForwarded); ++i) ::sigaction(kForwarded[i], &old[i], nullptr);
  g_child = 0;
  if (failure.size() >= sizeof(int)) {
    int code = 0;
    std::memcpy(&code, failure.data(), sizeof code);
    throw Error(static_cast<Exit>(code), failure.substr(sizeof code));
  }
  if (wait_errno) throw_sys("cannot wait for", "a child process", wait_errno);
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
