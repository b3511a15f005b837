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

// A colon-separated database (/etc/passwd, /etc/group): the fields of the first line
// whose third field is `id` (none if there is none), and whether a line is named `name`.
struct Lookup {
  std::vector<std::string> entry;
  bool name_taken = false;
};

Lookup look_up(const char* file, unsigned long id, const std::string& name) {
  Lookup out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string f; std::getline(split, f, ':');) fields.push_back(f);
    if (fields.size() < 3) continue;
    if (out.entry.empty() && fields[2] == std::to_string(id)) out.entry = fields;
    out.name_taken = out.name_taken || (!name.empty() && fields[0] == name);
  }
  return out;
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
  if (Lookup pw = look_up("/etc/passwd", id.uid, id.user); !pw.entry.empty()) {
    id.user = pw.entry[0];
    if (pw.entry.size() >= 7) {
      id.home = pw.entry[5];
      id.shell = pw.entry[6];
    }
  } else {
    id.user_listed = false;
    // $USER=root for uid 1003 would show two users named root: the entry is named
    // user<uid> instead.
    if (pw.name_taken) id.user.clear();
  }
  Lookup gr = look_up("/etc/group", id.gid, id.user);
  id.group_listed = !gr.entry.empty();
  id.group = gr.name_taken ? std::string() : id.user;
  return id;
}

}  // namespace

LaunchInputs host_launch_inputs() {
  LaunchInputs in;
  in.user = user_tokens();
  in.cwd = current_dir();
  for (char** e = environ; *e; ++e) in.environ.emplace_back(*e);
  MountPoints mounts = read_mount_points("/proc/self/mountinfo");
  in.host_mounts = std::move(mounts.all);
  in.waiting_mounts = std::move(mounts.may_wait);
  in.kernel_mounts = std::move(mounts.kernel);
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
