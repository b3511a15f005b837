#include "launcher/host_inputs.h"

#include <unistd.h>

#include "launcher/format.h"
#include "manifests/tokens.h"
#include "redirect/mounts.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"

extern char** environ;

namespace appv::cli {

LaunchInputs host_launch_inputs() {
  LaunchInputs in;
  in.user = user_tokens();
  in.cwd = current_dir();
  for (char** e = environ; *e; ++e) in.environ.emplace_back(*e);
  in.locked_mounts = locked_mount_points();
  in.as_root = ::geteuid() == 0;
  in.pid = ::getpid();
  in.sandboxes = sandboxes_root();
  in.find_instance = running_instance;
  return in;
}

}  // namespace appv::cli
