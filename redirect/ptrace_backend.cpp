#include "redirect/ptrace_backend.h"

#include <fcntl.h>
#include <dirent.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs_util.h"
#include "base/scope_guard.h"
#include "base/tracing.h"
#include "base/unique_fd.h"
#include "base/fd_passing.h"
#include "base/user_notification.h"
#include "redirect/app_rights.h"
#include "redirect/child_channel.h"
#include "redirect/path_syscalls.h"
#include "redirect/privileges.h"
#include "redirect/ptrace_app_filter.h"
#include "redirect/seccomp_filter.h"
#include "redirect/supervisor.h"
#include "redirect/traced_app_start.h"
#include "vfs/layout.h"
#include "vfs/tree_index.h"
#include "vfs/view_table.h"

namespace appv {
namespace {

// The app runs as the same user as its supervisor: not dumpable, the supervisor's
// memory and descriptors are out of its reach (ptrace, process_vm_writev,
// /proc/PID/mem), also where its filter's ptrace refusal does not apply.
void keep_app_out_of_supervisor(pid_t app) {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    const int err = errno;
    ::kill(app, SIGKILL);
    throw_sys("cannot make the supervisor undumpable for", "the app", err, Exit::Environment);
  }
}

// This launch's own directory for listing stand-ins, made by mkdtemp (a name another
// user cannot take first); those of this user's supervisors that are gone (killed
// before they could remove theirs) are removed.
std::string make_listings_dir(const std::string& base) {
  const std::string prefix = fmt::format(".appv-listings-{}-", ::geteuid());
  if (DIR* d = ::opendir(base.c_str())) {
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      const size_t dash = rest.find('-');
      if (dash == 0 || dash == std::string::npos || dash > 10 || rest.find_first_not_of("0123456789") < dash) continue;
      struct stat st;
      const std::string path = base + "/" + name;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
      const long pid = std::stol(rest.substr(0, dash));
      if (pid > 0 && pid <= 0x7fffffff && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(path);
    }
    ::closedir(d);
    for (const std::string& path : stale) {
      try {
        remove_tree(path);
      } catch (const Error&) {
      }
    }
  }
  std::string at = fmt::format("{}/{}{}-XXXXXX", base, prefix, ::getpid());
  if (!::mkdtemp(at.data())) throw_sys("cannot create", at, errno, Exit::Environment);
  return at;
}

// Nor can it keep a bus or a display from the app: it redirects paths, and connect()
// reaches the host's socket whatever the view shows there (a proxy's filter included).
// A denial the administrator's policy or the user's --deny made is refused rather than
// ignored; what the package itself leaves out is the weaker promise the README states.
void refuse_unkept_socket_denials(const LaunchPlan& plan) {
  static constexpr std::string_view kSocketPermissions[] = {"session-bus", "system-bus", "x11",
                                                            "wayland",     "pulseaudio", "pipewire"};
  for (const PermissionDecision& d : plan.permissions.decisions) {
    if (d.granted || d.source == "default" || d.source == "manifest") continue;
    if (std::find(std::begin(kSocketPermissions), std::end(kSocketPermissions), d.name) == std::end(kSocketPermissions)) continue;
    throw Error(Exit::Environment, fmt::format("the ptrace backend cannot take {} away (denied by {}): it redirects paths, "
                                               "not sockets; run with --backend ns, or where user namespaces are allowed",
                                               d.name, d.source));
  }
}

// The file a hidden file (a kernel file bound onto one) shows as: empty and read-only,
// in the sandbox beside `.empty`, where the app's view does not reach (one it could
// name could be made to read as it pleases, or replaced by a link its opens of hidden
// files would follow). Made anew when it is not that any more (the app changed it
// through a descriptor of it): then only this app saw the change.
void make_empty_file(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)); fd) {
      struct stat st {};
      if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 07777) == 0444) return;
    }
    if (::unlink(path.c_str()) != 0) {
      const int err = errno;
      if (err == EISDIR) remove_tree(path);
      else if (err != ENOENT) throw_sys("cannot remove", path, err);
    }
    if (const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444); fd >= 0) {
      ::fchmod(fd, 0444);  // whatever the umask took
      ::close(fd);
      return;
    } else if (errno != EEXIST) {
      throw_sys("cannot create", path, errno, Exit::Environment);
    }
    // Another launch of the app made it meanwhile: look again.
  }
  throw Error(Exit::Environment, fmt::format("cannot make '{}' an empty read-only file", path));
}

}  // namespace

int run_ptrace_backend(const LaunchPlan& plan) {
  if (plan.own_network) {
    // Without a network namespace the app would have the host's network: a denial
    // that is not kept is refused rather than ignored.
    throw Error(Exit::Environment,
                "the ptrace backend cannot take the network away (it makes no namespaces); run with --backend ns, "
                "or grant the network");
  }
  refuse_unkept_socket_denials(plan);
  // The view's hidden places (appv's sandboxes) show as this empty directory.
  const std::string empty = layout::join(plan.sandbox, ".empty");
  make_dirs(empty, 0555);
  // Stand-ins for merged directories (PathTranslator::listing_stand_in), this launch's
  // own: in memory where the host has /dev/shm (a directory of a few hundred empty
  // files took a third of a second on a busy disk), else in the sandbox.
  const std::string listings_base = ::access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : plan.sandbox;
  const std::string listings = make_listings_dir(listings_base);
  ScopeGuard remove_listings([&] {
    try {
      remove_tree(listings);
    } catch (const Error&) {
    }
  });
  const std::string empty_file = layout::join(plan.sandbox, ".empty-file");
  make_empty_file(empty_file);
  PathTranslator view(ViewTable::from_plan(plan.mounts), {empty, empty_file}, ::geteuid() == 0, listings);
  view.use_listing_memory(layout::join(plan.sandbox, ".listings"));
  // The package's layer looked up in memory (vfs/tree_index.h); a tree extracted
  // before indexes were written has none and is looked up on disk.
  if (!plan.package_root.empty()) {
    if (std::shared_ptr<const TreeIndex> index = package_tree_index(plan.package_root)) {
      view.use_tree_index(plan.package_root, std::move(index));
    }
  }
  const Translation cwd = view.translate(plan.cwd, Intent::Lookup, true);
  // The hot calls go to the supervisor as user notifications where the kernel can
  // answer an open with a descriptor (5.14); else every call stops for ptrace.
  // APPV_PTRACE_ONLY=1 asks for the latter (to compare them, or to rule the former out).
  const char* ptrace_only = std::getenv("APPV_PTRACE_ONLY");
  const bool notify = user_notifications_can_send_fds() && !(ptrace_only && std::string(ptrace_only) == "1");
  int sockets[2] = {-1, -1};
  if (notify && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
    throw_sys("cannot create", "a socket pair for the supervisor", errno, Exit::Environment);
  }
  UniqueFd receiving(sockets[0]), sending(sockets[1]);
  // Root's bounding set goes before the clone: the app's process has it empty from the
  // start, and the supervisor (AppRights) does not drop from a set emptied once.
  // Neither needs it: the supervisor never execs, the app must not gain.
  if (::geteuid() == 0) empty_bounding_set();
  SeizeGate gate;
  OneCpu pinned;
  // The child: seized by the supervisor (it waits for that first, at `gate`), in its
  // working directory, the supervisor's filter loaded with the backend's rules at its
  // head (ptrace_app_filter.h: they refuse a listener of the app's own, which the
  // supervisor's filter already has taken) and appv's own filter (seccomp_filter.h),
  // one program: one for the kernel to compile and to run for each call, instead of
  // three (nothing the child calls until its exec is one they refuse, and no call gets
  // two different actions of one precedence from them); its listener, if asked for and
  // given, sent over `sending`; stopped for its tracer, then the plan's program. Its
  // execve is the first call the supervisor rewrites: the view's loader runs it.
  TracedAppStart start(plan, cwd,
                       make_trace_filter(redirected_calls(), notify, chain_filters(ptrace_app_rules(), seccomp_program())),
                       sending.get(), gate);
  const pid_t child = start.start();
  sending.reset();
  const auto refused = [] {
    return Error(Exit::Environment,
                 "ptrace is refused here (kernel.yama.ptrace_scope=3, or a container's seccomp policy); the "
                 "namespace-free backend needs it");
  };
  if (gate.seize(child) != 0) {
    const int st = wait_for(child);  // it exits without a word
    start.done();
    // Killed before it could be seized (the seize of a dead process fails too): the
    // app's death, as below.
    if (WIFSIGNALED(st)) return st;
    throw refused();
  }
  SignalForwarding forwarding(child);
  // Its own stop (after the listener is sent), told from any other by its sender: the
  // child itself (kill(2): SI_USER, its pid). Its signals are blocked until its exec,
  // but for glibc's own (pthread_sigmask leaves them alone), delivered, and SIGSTOP:
  // someone else's stops it as without a tracer (restart_tracee: the group-stop held
  // until a SIGCONT), then the wait goes on. Taken for the child's own, the listener
  // would be waited for while the child waits for a SIGCONT.
  const auto own_stop = [child](int st) {
    siginfo_t info{};
    return (st >> 16) == 0 && WSTOPSIG(st) == SIGSTOP && ptrace_call(PTRACE_GETSIGINFO, child, nullptr, &info) == 0 &&
           info.si_code == SI_USER && info.si_pid == child;
  };
  int st = wait_for(child);
  while (WIFSTOPPED(st) && !own_stop(st)) {
    restart_tracee(child, st);
    st = wait_for(child);
  }
  if (!WIFSTOPPED(st)) {
    start.done();
    // Killed before its exec (SIGKILL, or one of glibc's own signals): the app's death.
    if (WIFSIGNALED(st)) return st;
    start.throw_failure();
    throw refused();
  }
  start.warn_if_working_dir_left(plan.cwd);
  // The child sent its listener before it stopped; none when the kernel refused one.
  std::optional<UserNotifications> notifications;
  if (receiving) {
    if (UniqueFd listener = receive_fd(receiving.get())) notifications.emplace(std::move(listener));
    receiving.reset();
  }
  int status = 0;
  bool exec_seen = false;
  {
    // The supervisor makes the app's calls with the app's rights, from before it
    // answers the first (the listener was taken above, with the supervisor's); only
    // the translator's trusted.* marks borrow the one capability kept. If the drop
    // fails the app is ended: it must not run under a supervisor holding more.
    std::optional<AppRights> rights;
    try {
      rights.emplace();
    } catch (const Error&) {
      ::kill(child, SIGKILL);
      throw;
    }
    view.set_lender([&rights](bool raise) { rights->lend(raise); });
    ScopeGuard unlend([&] { view.set_lender({}); });
    // The stand-ins' directory is short where it is in /dev/shm: links to the
    // directories of socket paths too long for a sockaddr_un go there too.
    Supervisor supervisor(view, notifications ? &*notifications : nullptr, rights->dropped(), listings);
    std::set<pid_t> started{child};
    ptrace_call(PTRACE_CONT, child, nullptr, nullptr);
    // At the app's first exec, stopped before its first instruction: the signal mask
    // it was started with, and the supervisor out of its reach. Not before: until its
    // exec the child shares the supervisor's memory, and a memory not dumpable could
    // not be read or written by the supervisor (the exec's path, its new arguments).
    const auto on_exec = [&](pid_t pid) {
      if (pid == child && !exec_seen) {
        exec_seen = true;
        start.done();
        start.restore_signal_mask(child);
        keep_app_out_of_supervisor(child);
      }
      supervisor.on_exec(pid);
    };
    status = trace_until_done(
        child, [&](pid_t pid) { supervisor.on_stop(pid); }, on_exec, started,
        notifications ? &*notifications : nullptr, [&](const UserNotification& n) { supervisor.on_notification(n); });
    start.done();
  }
  view.save_listing_memory();
  if (!exec_seen) start.throw_failure();
  return status;
}

}  // namespace appv
