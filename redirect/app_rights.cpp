#include "redirect/app_rights.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace appv {
namespace {

bool set_caps(const unsigned (&sets)[2][3], bool effective) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; ++i) {
    data[i] = {effective ? sets[i][0] : 0, sets[i][1], sets[i][2]};
  }
  return ::syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

AppRights::AppRights() {
  static_assert(_LINUX_CAPABILITY_U32S_3 == 2, "two 32-bit words of capabilities");
  if (::geteuid() != 0) return;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) throw_sys("cannot read", "the supervisor's capabilities", errno, Exit::Environment);
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; ++i) {
    held_[i][0] = data[i].effective;
    held_[i][1] = data[i].permitted;
    held_[i][2] = data[i].inheritable;
  }
  if (!set_caps(held_, false)) throw_sys("cannot drop", "the supervisor's effective capabilities", errno, Exit::Environment);
  dropped_ = true;
}

AppRights::~AppRights() {
  if (dropped_) set_caps(held_, true);
}

void AppRights::lend(bool raise) const {
  if (dropped_) set_caps(held_, raise);
}

}  // namespace appv
