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
  in.host_mounts = host_mount_points();
  in.as_root = ::geteuid() == 0;
  in.pid = ::getpid();
  for (int fd = 0; fd <= 2 && in.tty.empty(); ++fd) {
    if (const char* name = ::isatty(fd) ? ::ttyname(fd) : nullptr) in.tty = name;
  }
  in.sandboxes = sandboxes_root();
  in.find_instance = running_instance;
  return in;
}

}  // namespace appv::cli
