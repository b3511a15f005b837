// Host state in the view (DESIGN.md "host state"): what describes the machine that
// runs the app — users and groups, name service and network configuration, the time
// zone, the machine id and host name, the mount table, the CA trust store — comes
// from that machine in every isolation mode, never from a package nor from what an
// earlier run left in the sandbox. Pure: the host and the package are asked through
// TreeProbes; the caller's identity comes in LaunchInputs::identity.
#pragma once

#include "launch/launch_plan.h"
#include "vfs/host_state_paths.h"

namespace appv {

// Appends to plan.mounts.ops, after every other mount, for each host-state path whose
// parent the view places in an overlay or in the sandbox (writecopy, full; merged and
// host trees show the host's own file already):
// - a HostState mount of the host's file or directory (symlinks resolved), read-only;
// - /etc/passwd and /etc/group: where they lack the caller's uid or gid (a user from
//   LDAP, sssd or systemd-homed), a copy of the host's file with an entry for the
//   caller added, generated into the sandbox (plan.generated) and shown instead;
// - a path the host lacks and the package has: an empty file or directory over it;
// - /etc/mtab: the link to ../proc/self/mounts where the view has none.
// Install capture is left alone: an installer sees and changes the host's own state
// in its write-copy view, and capture leaves the result out of the package.
void plan_host_state(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package, LaunchPlan& plan);

// The /etc/passwd line for `id` (name:x:uid:gid:gecos:home:shell), with the fields
// that would break the format (':' or a newline, an empty or relative path) replaced
// by safe defaults.
std::string passwd_entry(const HostIdentity& id);
// The /etc/group line for the caller's primary group (named group<gid> where
// `id.group` is unfit).
std::string group_entry(const HostIdentity& id);

}  // namespace appv
