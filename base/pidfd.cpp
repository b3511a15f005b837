#include "base/pidfd.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace appv {

UniqueFd open_pidfd(pid_t pid) { return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

}  // namespace appv
