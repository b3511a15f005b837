#include "launcher/host_inputs.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "launcher/format.h"
#include "manifests/tokens.h"
#include "redirect/mounts.h"
#include "vfs/sandbox.h"
#include "vfs/sandbox_access.h"

extern char** environ;

namespace appv::cli {

namespace {

std::string env_or(const char* name, const char* other = nullptr) {
  if (const char* v = std::getenv(name); v && *v) return v;
  if (const char* v = other ? std::getenv(other) : nullptr; v && *v) return v;
  return {};
}

// The fields of the first line of a colon-separated database (/etc/passwd,
// /etc/group) whose third field is `id`, or none.
std::vector<std::string> entry_with_id(const char* file, unsigned long id) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string f; std::getline(split, f, ':');) fields.push_back(f);
    if (fields.size() >= 3 && fields[2] == std::to_string(id)) return fields;
  }
  return {};
}

// Read as files, not through NSS: the static runtime stub has none, and a user that
// only NSS knows (LDAP, sssd) is what launch/host_state.h generates an entry for.
HostIdentity read_identity() {
  HostIdentity id;
  id.uid = ::getuid();
  id.gid = ::getgid();
  id.user = env_or("USER", "LOGNAME");
  id.home = env_or("HOME");
  id.shell = env_or("SHELL");
  if (std::vector<std::string> pw = entry_with_id("/etc/passwd", id.uid); !pw.empty()) {
    id.user = pw[0];
    if (pw.size() >= 7) {
      id.home = pw[5];
      id.shell = pw[6];
    }
  } else {
    id.user_listed = false;
  }
  id.group_listed = !entry_with_id("/etc/group", id.gid).empty();
  return id;
}

}  // namespace

LaunchInputs host_launch_inputs() {
  LaunchInputs in;
  in.user = user_tokens();
  in.cwd = current_dir();
  for (char** e = environ; *e; ++e) in.environ.emplace_back(*e);
  in.locked_mounts = locked_mount_points();
  in.as_root = ::geteuid() == 0;
  in.identity = read_identity();
  in.pid = ::getpid();
  for (int fd = 0; fd <= 2 && in.tty.empty(); ++fd) {
    if (const char* name = ::isatty(fd) ? ::ttyname(fd) : nullptr) in.tty = name;
  }
  in.sandboxes = sandboxes_root();
  in.find_instance = running_instance;
  return in;
}

}  // namespace appv::cli
