#include "redirect/terminal_relay.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <chrono>
#include <cstdlib>

#include "base/error.h"
#include "base/job_control.h"

namespace appv {
namespace {

// Signals the relay acts on arrive here (a self-pipe): window size changes, and the
// continuation after a stop (`fg`, `bg`).
int g_wake_writer = -1;

void wake_relay(int sig) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(sig);
  if (g_wake_writer >= 0) (void)!::write(g_wake_writer, &byte, 1);
  errno = saved;
}

// The relay's signal dispositions while it runs, restored after: SIGWINCH and SIGCONT
// wake it; SIGTTIN and SIGTTOU are ignored, so that a read or a settings change from
// the background fails (EIO) instead of stopping appv behind the caller's back.
class RelaySignals {
 public:
  explicit RelaySignals(int wake_writer) {
    g_wake_writer = wake_writer;
    struct sigaction wake {};
    wake.sa_handler = wake_relay;
    wake.sa_flags = SA_RESTART;
    sigemptyset(&wake.sa_mask);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGWINCH, &wake, &old_[0]);
    ::sigaction(SIGCONT, &wake, &old_[1]);
    ::sigaction(SIGTTIN, &ignore, &old_[2]);
    ::sigaction(SIGTTOU, &ignore, &old_[3]);
  }
  ~RelaySignals() {
    for (size_t i = 0; i < 4; ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
    g_wake_writer = -1;
  }
  RelaySignals(const RelaySignals&) = delete;
  RelaySignals& operator=(const RelaySignals&) = delete;

 private:
  static constexpr int kSignals[4] = {SIGWINCH, SIGCONT, SIGTTIN, SIGTTOU};
  struct sigaction old_[4];
};

bool is_terminal(int fd, dev_t& rdev) {
  struct stat st {};
  if (!::isatty(fd) || ::fstat(fd, &st) != 0) return false;
  rdev = st.st_rdev;
  return true;
}

// A descriptor the app must not inherit as it is: a terminal (the caller's, another
// one, /dev/tty that stands for the caller's), also opened O_PATH, which /proc/self/fd
// would open again. By device: the consoles and serial lines (major 4), /dev/tty,
// /dev/console and /dev/ptmx (5), pseudo-terminals (136-143); else what isatty says.
bool is_terminal_descriptor(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return false;
  const unsigned kind = major(st.st_rdev);
  return kind == 4 || kind == 5 || (kind >= 136 && kind <= 143) || ::isatty(fd);
}

// This process's descriptors that an exec keeps (no FD_CLOEXEC) and that are
// terminals, read from the host's /proc before any namespace: the app's view may have
// a /proc of the package's making.
std::vector<int> inherited_terminals() {
  std::vector<int> out;
  DIR* fds = ::opendir("/proc/self/fd");
  if (fds == nullptr) throw_sys("cannot list", "/proc/self/fd", errno, Exit::Environment);
  while (const dirent* e = ::readdir(fds)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || end == e->d_name || fd == ::dirfd(fds)) continue;
    const int flags = ::fcntl(static_cast<int>(fd), F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC) && is_terminal_descriptor(static_cast<int>(fd))) out.push_back(static_cast<int>(fd));
  }
  ::closedir(fds);
  return out;
}

// Writes all of `size` bytes to the caller's terminal. A terminal that is gone (EIO)
// loses them: the app's output has nowhere to go, as without the relay.
void write_to_caller(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

std::optional<TerminalRelay> TerminalRelay::for_interactive_use() {
  dev_t in_rdev = 0, out_rdev = 0;
  if (!is_terminal(STDIN_FILENO, in_rdev) || !is_terminal(STDOUT_FILENO, out_rdev) || in_rdev != out_rdev) {
    return std::nullopt;
  }
  TerminalRelay relay;
  relay.caller_terminals_ = inherited_terminals();
  relay.master_.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!relay.master_) throw_sys("cannot open", "/dev/ptmx (a pseudo-terminal for the app)", errno, Exit::Environment);
  if (::grantpt(relay.master_.get()) != 0 || ::unlockpt(relay.master_.get()) != 0) {
    throw_sys("cannot unlock", "a pseudo-terminal for the app", errno, Exit::Environment);
  }
  char name[64];
  if (::ptsname_r(relay.master_.get(), name, sizeof name) != 0) {
    throw_sys("cannot name", "a pseudo-terminal for the app", errno, Exit::Environment);
  }
  relay.slave_path_ = name;
  relay.slave_.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!relay.slave_) throw_sys("cannot open", relay.slave_path_, errno, Exit::Environment);
  if (::tcgetattr(STDIN_FILENO, &relay.caller_settings_) == 0) {
    ::tcsetattr(relay.slave_.get(), TCSANOW, &relay.caller_settings_);
  }
  relay.pass_window_size();
  const int flags = ::fcntl(relay.master_.get(), F_GETFL);
  ::fcntl(relay.master_.get(), F_SETFL, flags | O_NONBLOCK);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create", "a pipe for the app's stops", errno, Exit::Environment);
  relay.stops_reader_.reset(fds[0]);
  relay.stops_writer_.reset(fds[1]);
  return relay;
}

TerminalRelay::~TerminalRelay() { give_back_terminal(); }

void TerminalRelay::lead_session() const {
  if (::setsid() < 0) throw_sys("cannot start a session for", "the app", errno, Exit::Environment);
  if (::ioctl(slave_.get(), TIOCSCTTY, 0) != 0) throw_sys("cannot make the app's terminal of", slave_path_, errno, Exit::Environment);
}

void TerminalRelay::attach_app() const {
  // The session's foreground: from its background, tcsetpgrp would stop this process
  // with SIGTTOU, which is held off meanwhile.
  if (::setpgid(0, 0) != 0) throw_sys("cannot start a process group for", "the app", errno, Exit::Environment);
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  ::sigprocmask(SIG_BLOCK, &ttou, &old);
  const int foreground = ::tcsetpgrp(slave_.get(), ::getpid());
  const int err = errno;
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  if (foreground != 0) throw_sys("cannot give the app the foreground of", slave_path_, err, Exit::Environment);
  // Every terminal appv would pass on becomes the pseudo-terminal: the standard
  // descriptors, and any other the caller passed (`3</dev/tty`, another terminal).
  for (const int fd : caller_terminals_) {
    if (::dup2(slave_.get(), fd) < 0) throw_sys("cannot give the app", slave_path_, errno, Exit::Environment);
  }
}

void TerminalRelay::report_stop(int sig) const {
  const unsigned char byte = static_cast<unsigned char>(sig);
  (void)!::write(stops_writer_.get(), &byte, 1);
}

void TerminalRelay::app_started() {
  slave_.reset();
  stops_writer_.reset();
}

bool TerminalRelay::in_foreground() const { return ::tcgetpgrp(caller_in_) == ::getpgrp(); }

void TerminalRelay::take_terminal() {
  if (raw_ || !in_foreground()) return;
  take_typed_ahead();
  termios raw = caller_settings_;
  ::cfmakeraw(&raw);
  if (::tcsetattr(caller_in_, TCSADRAIN, &raw) == 0) raw_ = true;
}

// Lines typed ahead while the caller's terminal was still in its own (canonical)
// mode are read as lines, and a Ctrl-D among them as the app's end-of-file: switched
// to raw mode with it pending, the kernel would hand the end-of-file over as a NUL
// byte. (What follows an unfinished line stays and is read raw, as it was typed.)
// The app's terminal echoes those lines once more: echo is decided when the kernel
// takes input in, later than a write could switch it off and back.
void TerminalRelay::take_typed_ahead() {
  termios now{};
  if (::tcgetattr(caller_in_, &now) != 0 || !(now.c_lflag & ICANON)) return;
  for (int lines = 0; lines < 256; ++lines) {
    pollfd p{caller_in_, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) return;
    char buf[4096];
    const ssize_t n = ::read(caller_in_, buf, sizeof buf);
    if (n > 0) pending_input_.insert(pending_input_.end(), buf, buf + n);
    else if (n == 0) pending_input_.push_back(static_cast<char>(now.c_cc[VEOF]));
    else return;
  }
}

void TerminalRelay::give_back_terminal() {
  if (!raw_) return;
  ::tcsetattr(caller_in_, TCSADRAIN, &caller_settings_);
  raw_ = false;
}

void TerminalRelay::pass_window_size() const {
  winsize size{};
  if (::ioctl(caller_out_, TIOCGWINSZ, &size) == 0) ::ioctl(master_.get(), TIOCSWINSZ, &size);
}

// The app stopped by `sig` (Ctrl-Z in the pseudo-terminal, or a stop it asked for):
// the caller's shell must see the job stop, so appv's whole process group stops the
// same way, with the caller's terminal settings back. When the shell continues it,
// so is the app. (An orphaned process group is not stopped by the kernel: appv then
// continues the app, as nobody could continue it later, but not before a tenth of a
// second has passed, so that an app stopping itself over and over costs no CPU.)
void TerminalRelay::suspend_like_app(int sig) {
  give_back_terminal();
  stop_with_job(0, sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU ? sig : SIGTSTP);
  take_terminal();
  pass_window_size();
  // The session leader's process group (the app's own) and the foreground one, in
  // this process's PID numbering.
  pid_t session = 0, foreground = 0;
  if (::ioctl(master_.get(), TIOCGSID, &session) == 0 && session > 0) ::kill(-session, SIGCONT);
  if (::ioctl(master_.get(), TIOCGPGRP, &foreground) == 0 && foreground > 0) ::kill(-foreground, SIGCONT);
}

// The caller's terminal is gone (its window closed): the app's terminal hangs up too.
void TerminalRelay::hang_up_app() const {
  ::ioctl(master_.get(), TIOCSIG, SIGHUP);
  pid_t session = 0;
  if (::ioctl(master_.get(), TIOCGSID, &session) == 0 && session > 0) ::kill(-session, SIGHUP);
}

bool TerminalRelay::pass_output(int reads_at_most) {
  char buf[16384];
  // A bounded pass: a process that writes without pause must not keep the relay from
  // its other work (the user's Ctrl-C on a slow terminal, signals, the app's end).
  for (int reads = 0; reads < reads_at_most; ++reads) {
    const ssize_t n = ::read(master_.get(), buf, sizeof buf);
    if (n > 0) {
      write_to_caller(caller_out_, buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // EIO: nobody holds the pseudo-terminal (now)
  }
  return true;
}

void TerminalRelay::pass_input() {
  char buf[4096];
  const ssize_t n = ::read(caller_in_, buf, sizeof buf);
  if (n > 0) {
    pending_input_.insert(pending_input_.end(), buf, buf + n);
    flush_pending_input();
    return;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  // EIO: appv was moved to the background (SIGTTIN is ignored), or the terminal is
  // gone. Input waits for the next continuation in the first case.
  input_open_ = false;
  if (::tcgetpgrp(caller_in_) < 0) hang_up_app();
}

void TerminalRelay::flush_pending_input() {
  while (!pending_input_.empty()) {
    const ssize_t n = ::write(master_.get(), pending_input_.data(), pending_input_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // the app reads slower than the user types
    if (n <= 0) {
      pending_input_.clear();
      return;
    }
    pending_input_.erase(pending_input_.begin(), pending_input_.begin() + n);
  }
}

void TerminalRelay::relay_until(int done) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_sys("cannot create", "a pipe for the terminal relay", errno, Exit::Environment);
  const UniqueFd wake_reader(fds[0]), wake_writer(fds[1]);
  const RelaySignals signals(wake_writer.get());
  take_terminal();
  // While no process holds the pseudo-terminal (the app closed its descriptors, or
  // has not opened /dev/tty again yet), the master polls hung up without end: it is
  // then looked at again every 100 ms instead of spinning.
  bool watch_master = true;
  for (;;) {
    const bool reading = input_open_ && raw_ && pending_input_.empty();
    pollfd p[5] = {
        {done, POLLIN, 0},
        {watch_master ? master_.get() : -1, static_cast<short>(POLLIN | (pending_input_.empty() ? 0 : POLLOUT)), 0},
        {wake_reader.get(), POLLIN, 0},
        {stops_reader_.get(), POLLIN, 0},
        {reading ? caller_in_ : -1, POLLIN, 0},
    };
    const int ready = ::poll(p, 5, watch_master ? -1 : 100);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_sys("cannot wait for", "the app's terminal", errno, Exit::Environment);
    }
    if (ready == 0) watch_master = true;
    if ((p[1].revents & POLLIN) && !pass_output(1)) watch_master = false;
    if ((p[1].revents & (POLLHUP | POLLERR)) && !(p[1].revents & POLLIN)) watch_master = false;
    if (p[1].revents & POLLOUT) flush_pending_input();
    if (p[2].revents & POLLIN) {
      unsigned char sigs[64];
      const ssize_t n = ::read(wake_reader.get(), sigs, sizeof sigs);
      for (ssize_t i = 0; i < n; ++i) {
        if (sigs[i] == SIGCONT) {  // moved to the foreground or the background
          input_open_ = true;
          if (in_foreground()) take_terminal();
          else raw_ = false;  // the shell took the terminal back with its own settings
        }
        pass_window_size();
      }
    }
    if (p[3].revents & POLLIN) {
      unsigned char sig = 0;
      if (::read(stops_reader_.get(), &sig, 1) == 1) suspend_like_app(sig);
    }
    if (p[4].revents & (POLLIN | POLLHUP | POLLERR)) pass_input();
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) return;
  }
}

void TerminalRelay::finish() {
  give_back_terminal();
  // What the app wrote just before it ended may still be on its way through the
  // pseudo-terminal: read until nobody holds it (EIO), until it stays quiet for 20 ms
  // while processes the app left behind still hold it, or for 200 ms at most (one of
  // them may write without pause).
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    pollfd p{master_.get(), POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 20))) <= 0 || !pass_output(64)) break;
  }
  master_.reset();
}

}  // namespace appv
