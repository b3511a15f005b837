#include "base/job_control.h"

#include <signal.h>
#include <time.h>

namespace appv {

void stop_with_job(pid_t target, int sig) {
  struct sigaction dfl {}, old {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  const bool swapped = ::sigaction(sig, &dfl, &old) == 0;
  timespec before {}, after {};
  ::clock_gettime(CLOCK_MONOTONIC, &before);
  // The stop is taken on the way back from kill(2), if the kernel makes it.
  ::kill(target, sig);
  ::clock_gettime(CLOCK_MONOTONIC, &after);
  if (swapped) ::sigaction(sig, &old, nullptr);
  constexpr long kPaceNs = 100'000'000;
  const long waited = (after.tv_sec - before.tv_sec) * 1'000'000'000L + (after.tv_nsec - before.tv_nsec);
  if (waited < kPaceNs) {
    const timespec rest{0, kPaceNs - waited};
    ::nanosleep(&rest, nullptr);
  }
}

}  // namespace appv
