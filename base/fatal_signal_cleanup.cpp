#include "base/fatal_signal_cleanup.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iterator>

namespace appv {
namespace {

// Fixed storage, no allocation: the handler may run at any moment, in any thread.
// A slot is claimed (0 -> 1), filled, then published (1 -> 2); the handler removes
// only published ones.
// constinit: all zero in .bss, no initializer at start-up. Without it the compiler
// wrote each slot's state at start, 64 pages touched (a page fault each) by every
// launch of the static stub.
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 published
  char path[PATH_MAX] = {};
};
constinit Slot g_slots[64] = {};

void on_fatal_signal(int sig) {
  const int saved = errno;
  for (Slot& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == 2) ::unlink(slot.path);
  }
  // Die of the same signal, as if the handler had never been there.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
  ::raise(sig);
  errno = saved;
}

}  // namespace

void install_fatal_signal_cleanup() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigfillset(&sa.sa_mask);  // one cleanup at a time
    ::sigaction(sig, &sa, nullptr);
  }
}

int register_for_cleanup(const char* path) noexcept {
  const size_t n = std::strlen(path);
  if (n >= PATH_MAX) return -1;
  for (int i = 0; i < static_cast<int>(std::size(g_slots)); ++i) {
    int expected = 0;
    if (!g_slots[i].state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
    std::memcpy(g_slots[i].path, path, n + 1);
    g_slots[i].state.store(2, std::memory_order_release);
    return i;
  }
  return -1;
}

void unregister_for_cleanup(int slot) noexcept {
  if (slot >= 0 && slot < static_cast<int>(std::size(g_slots))) g_slots[slot].state.store(0, std::memory_order_release);
}

FatalSignalsHeld::FatalSignalsHeld() {
  sigset_t fatal;
  sigemptyset(&fatal);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&fatal, sig);
  ::sigprocmask(SIG_BLOCK, &fatal, &old_);
}

FatalSignalsHeld::~FatalSignalsHeld() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

}  // namespace appv
