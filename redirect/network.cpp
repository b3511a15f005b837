#include "redirect/network.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {

void enter_own_network() {
  if (::unshare(CLONE_NEWNET) != 0) throw_sys("cannot create a network namespace", "unshare(CLONE_NEWNET)", errno, Exit::Environment);
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) throw_sys("cannot open a socket to configure", "lo", errno, Exit::Environment);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) throw_sys("cannot read the flags of", "lo", errno, Exit::Environment);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) throw_sys("cannot bring up", "lo", errno, Exit::Environment);
}

}  // namespace appv
