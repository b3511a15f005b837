#include "redirect/app_rights.h"

#include <linux/capability.h>
#include <unistd.h>

#include "redirect/privileges.h"

namespace appv {

AppRights::AppRights() {
  if (::geteuid() != 0) return;
  drop_supervisor_privileges(CAP_SYS_ADMIN);
  dropped_ = true;
}

void AppRights::lend(bool raise) const {
  // A refusal leaves the capability down: the translator's call then fails with EPERM,
  // which it reports, rather than anything running with more than it should.
  if (dropped_) (void)raise_kept_capability(CAP_SYS_ADMIN, raise);
}

}  // namespace appv
