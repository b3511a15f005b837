// The launch as data. Everything one launch will do is decided here, before anything
// is done: which package and tree, which sandbox, the isolation rules and the mount
// plan they give, the environment, argv and working directory, whether to build a
// view or join the running one, what is cleaned up afterwards, and the backend.
// `appv run --dry-run` prints this value; redirect/apply.h applies the same value.
//
// Planning is pure: the host is asked through a TreeProbe and the inputs below, so
// tests build plans for any host shape without root.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/namespace_support.h"
#include "manifests/manifest.h"
#include "manifests/tokens.h"
#include "vfs/sandbox.h"
#include "vfs/view.h"

namespace appv {

// What kind of launch: an app in its sandbox, an app in a throw-away sandbox, or an
// installer in a write-copy view of the whole host (appv capture).
enum class LaunchKind { Run, Temp, InstallCapture };

// How the plan is applied. `ns`: user and mount namespaces, overlayfs, pivot_root.
// `ptrace`: no namespace at all; a supervisor redirects the app's path system calls
// into the same view (redirect/ptrace_backend.h, docs/namespace-free-backend.md).
enum class Backend { Namespaces, Ptrace };

// Whether the launch builds the view, joins the running instance's (overlayfs cannot
// share an upper directory between two mounts), or is refused because the running
// instance shows another package version or other rules. An instance of another view
// in which nothing runs (it lingers: vfs/idle_instance.h) is ended instead, and the
// view built (ReplaceIdle); so is one this launch cannot enter (Instance::unreachable),
// if it turns out idle when asked to leave.
enum class Start { Build, Join, Refuse, ReplaceIdle };

// What happens to the sandbox after the app: kept for its next launch; removed when
// the app exits (--temp); removed by the caller once it has read it (install capture).
enum class Cleanup { Keep, RemoveOnExit, CallerRemoves };

std::string_view to_string(LaunchKind kind);
std::string_view to_string(Backend backend);
std::string_view to_string(Start start);
std::string_view to_string(Cleanup cleanup);
// "ns" or "ptrace" (what --backend takes); nullopt for any other name.
std::optional<Backend> backend_named(std::string_view name);

// Who runs the app, as the host's own /etc/passwd and /etc/group say: read as files,
// without NSS (the runtime stub is static), by launcher/host_inputs.cpp.
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;   // the caller's name: passwd's, else $USER or $LOGNAME
  std::string home;   // passwd's, else $HOME
  std::string shell;  // passwd's, else $SHELL
  std::string group;  // the primary group's name: group's, else the user's name if free
  bool user_listed = true;   // /etc/passwd has an entry for uid
  bool group_listed = true;  // /etc/group has an entry for gid
};

struct LaunchInputs {
  LaunchKind kind = LaunchKind::Run;

  // The package (Run, Temp). `manifest` must outlive planning.
  std::string package_path;
  std::string installed;  // "user" or "system" when `appv run APP-ID` found it installed; "" for a file
  const Manifest* manifest = nullptr;
  std::string digest;               // the payload's sha256, hex
  std::string entry;                // entry point name; "" for the manifest's default
  std::string argv0;                // the app's argv[0]; "" for the entry point's path
  std::vector<std::string> isolate;  // the user's --isolate PREFIX=MODE, in order
  std::optional<Backend> backend;    // the user's --backend; nullopt: appv chooses
  // The policy's permission overrides (vfs/trust.h policy_permission_overrides), then
  // the user's --deny (allow = false), in that order.
  std::vector<PermissionOverride> permission_overrides;
  HostPathGrants host_paths;         // what policy.toml lets this app open (vfs/trust.h)
  std::vector<std::string> bus_names;  // restricted bus names policy.toml allows it (vfs/trust.h)
  // The app's arguments after the entry point's own; for InstallCapture the
  // installer's whole command line, with `program` its resolved path.
  std::vector<std::string> args;
  std::string program;

  // The host, read once by the caller.
  Tokens user;                        // HOME, USER, XDG_* (manifests/tokens.h)
  std::string cwd;                    // the caller's working directory
  std::vector<std::string> environ;   // NAME=VALUE, the caller's environment
  std::vector<std::string> host_mounts;  // the host's mount points: redirect/mounts.h host_mount_points()
  std::vector<std::string> waiting_mounts;  // those that may not answer: redirect/mounts.h read_mount_points()
  std::vector<std::string> kernel_mounts;   // those of the kernel's file systems: the same
  bool as_root = false;               // root gets a mount namespace alone
  // What this host lets the `ns` backend do (redirect/namespace_probe.h); unset: not
  // probed (the backend then diagnoses a refusal when it meets it).
  std::optional<NamespaceSupport> namespaces;
  HostIdentity identity;
  pid_t pid = 0;                      // names --temp and capture sandboxes
  std::string tty;                    // the caller's terminal (ttyname of fd 0, 1 or 2), "" if none
  std::string cache;                  // vfs/cache.h cache_dir()
  std::string sandboxes;              // vfs/sandbox.h sandboxes_root()
  // The instance recorded in a sandbox, if its process lives (redirect/instance.h
  // running_instance); unset means "none".
  std::function<std::optional<Instance>(const std::string& sandbox)> find_instance;
  // The locale names in the glibc locale archive at `path` below the host directory
  // `root` (launch/locale_fallback.h locale_archive_names), nullopt if it cannot be
  // read; unset means "cannot be read". Read through this so planning stays pure.
  std::function<std::optional<std::set<std::string>>(const std::string& root, const std::string& path)>
      read_locale_archive;
};

struct LaunchPlan {
  LaunchKind kind = LaunchKind::Run;
  Backend backend = Backend::Namespaces;
  std::string backend_why;  // why this backend, in words; with the probe's answer when probed
  // The probe's answer (LaunchInputs::namespaces). One that is not usable() makes
  // apply() fail at once with its refusal_message, Exit::Environment, before anything
  // is created.
  std::optional<NamespaceSupport> namespaces;

  // Identity.
  std::string package_path;  // "" for install capture
  std::string installed;     // LaunchInputs::installed
  std::string app_id, app_version, digest;
  std::string entry_name, entry_path;

  // Where.
  std::string package_root;  // the package's tree in the cache ("" for install capture)
  std::string sandboxes;     // the directory of every sandbox (hidden from the view)
  std::string sandbox;       // this launch's sandbox
  Cleanup cleanup = Cleanup::Keep;

  // The view.
  RuleSet rules;
  std::string view_id;  // package and rules, as recorded for joins
  Plan mounts;
  SandboxState state;   // recorded in the sandbox (Run)

  // Permissions (manifests/permissions.h), resolved with where each decision came
  // from; launch/permissions_plan.h turns them into mounts, env and the proxy below.
  ResolvedPermissions permissions;
  bool own_network = false;  // a new network namespace: loopback only
  // A bus through xdg-dbus-proxy, started on the host side before the view is
  // entered: it listens at `proxy_socket` (a host path) and the app finds it at
  // `bus_in_view` (the host bus's own path, bound over; or the proxy's socket itself
  // when the host bus has no path: an abstract or TCP address); `proxy_address` is the
  // host bus. Empty when not granted or absent.
  struct BusProxy {
    std::string proxy_address, proxy_socket, bus_in_view;
    std::vector<std::string> args;  // xdg-dbus-proxy's filter arguments (--filter --talk=...)
  };
  std::optional<BusProxy> session_bus;
  std::optional<BusProxy> system_bus;  // permission system-bus: only the system-talk names

  // Files appv writes into the sandbox's host-state directory before building the
  // view, for HostState mounts to show (launch/host_state.h): the host's file `from`
  // ("" for none) followed by `append`; `directory` makes an empty directory instead.
  struct GeneratedFile {
    std::string path;  // host path, in layout::host_state(sandbox)
    std::string from;
    std::string append;
    bool directory = false;
  };
  std::vector<GeneratedFile> generated;

  // The process.
  std::string program;             // the file execve'd
  std::vector<std::string> argv;
  std::vector<std::string> env;    // NAME=VALUE
  std::string cwd;
  // Lines appv prints on stderr before the app starts: a locale the view lacks and
  // what the app runs with instead (launch/locale_fallback.h).
  std::vector<std::string> notices;

  // Join or build, decided from the instance running when the plan was made; the
  // backend decides again under the sandbox's lock with decide_start().
  Start start = Start::Build;
  std::optional<Instance> running;
  // The plan joins `running` and was made without the namespace probe (the user left
  // the backend to appv): if that instance is gone when apply() comes to join it,
  // apply() throws ViewGone (redirect/apply.h) so that the caller probes and plans
  // again, instead of building with a backend nobody asked the host about.
  bool join_unprobed = false;
  // How long the instance's init keeps the view once nothing runs in it, for the next
  // launch to join (redirect/pid_namespace.h Linger): APPV_LINGER_MS in the caller's
  // environment, else kDefaultLinger; zero for --temp and install capture, which end
  // with the app, and where nothing would join (the ptrace backend).
  std::chrono::milliseconds linger{0};
};

inline constexpr std::chrono::milliseconds kDefaultLinger{2000};

// How long the host's kind of each of its mount points is waited for (host_tree()).
inline constexpr int kMountAnswerTimeoutMs = 2000;

// The host's "/" as plan_launch reads it: the mount points that may not answer
// (in.waiting_mounts: network and FUSE file systems) asked with kMountAnswerTimeoutMs,
// so a hung one is left out (with a notice), not waited for.
DiskTree host_tree(const LaunchInputs& in);

// Builds the plan. `host` is the host's "/", `package_tree` the package's tree at
// virtual paths (the extracted cache entry, or the payload's listing for a dry run
// before extraction). Throws Exit::Usage for a bad --isolate or an unknown entry
// point, Exit::BadInput for a manifest rule or [env] value that does not expand.
LaunchPlan plan_launch(const LaunchInputs& in, const TreeProbe& host, const TreeProbe& package_tree);

// The backend a launch uses: the user's --backend; else `ns`, unless the probe found it
// refused on this host, then `ptrace`, which needs no namespaces.
Backend choose_backend(const LaunchInputs& in);

// Join, build, refuse or replace an idle one, given the instance running now (nullopt
// if none). The ptrace backend joins nothing: it builds, after ending an idle instance
// (or one it cannot see into, if that is idle), whose overlay holds the upper directory
// the supervisor writes; beside a running one it builds all the same.
Start decide_start(const std::optional<Instance>& running, const std::string& view_id, Backend backend);

// The error a refused start throws (Exit::Busy), naming the running instance (also
// after ReplaceIdle, when it did not leave).
[[noreturn]] void throw_refused(const LaunchPlan& plan, const Instance& running);

// Two launches may share one view when they show the same package through the same
// rules. "RULES.HERE": 32 hex digits of the package and every rule but the working
// directory's own, a dot, 16 of the working directory's rules (each launch has its
// own: a running instance is joined whatever it is, an idle one only if it matches).
std::string view_id(const std::string& digest, const RuleSet& rules);

}  // namespace appv
