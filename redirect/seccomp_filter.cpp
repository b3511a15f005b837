#include "redirect/seccomp_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <iterator>

#include <fmt/format.h>

#include "base/error.h"

namespace appv {
namespace {

// Compiled from the rules by libseccomp when appv was built (redirect/seccomp_program_gen.cpp).
const sock_filter kProgram[] = {
#include "redirect/seccomp_program.inc"
};

}  // namespace

std::vector<sock_filter> seccomp_program() { return {std::begin(kProgram), std::end(kProgram)}; }

void install_seccomp_filter() {
  // What libseccomp's seccomp_load does by default: no_new_privs, then the filter.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_sys("cannot set", "no_new_privs", errno, Exit::Environment);
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(std::size(kProgram));
  fprog.filter = const_cast<sock_filter*>(kProgram);
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    throw Error(Exit::Environment, fmt::format("cannot load the system-call filter: {}", errno_text(errno)));
  }
}

}  // namespace appv
