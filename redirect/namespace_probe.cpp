#include "redirect/namespace_probe.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

// What the child reports through the pipe: the refused step (NamespaceStep::None if
// none), its errno, and the AppArmor label it had inside the user namespace.
struct ProbeReport {
  int step = 0;
  int err = 0;
  char label[160] = {};
};

// The child's part: system calls and stack buffers only (it may be a fork of a
// multi-threaded process, where another thread held the allocator's lock).
bool write_text(const char* path, const char* text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const size_t n = std::strlen(text);
  const bool ok = ::write(fd, text, n) == static_cast<ssize_t>(n);
  const int err = errno;
  ::close(fd);
  errno = err;
  return ok;
}

// "ID ID 1\n" into buf.
void one_id_map(unsigned id, char* buf) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + id % 10);
    id /= 10;
  } while (id != 0);
  char* p = buf;
  for (int twice = 0; twice < 2; ++twice) {
    for (int i = n - 1; i >= 0; --i) *p++ = digits[i];
    *p++ = ' ';
  }
  std::strcpy(p, "1\n");
}

void read_label(char* out, size_t size) {
  for (const char* path : {"/proc/self/attr/apparmor/current", "/proc/self/attr/current"}) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const ssize_t n = ::read(fd, out, size - 1);
    ::close(fd);
    if (n <= 0) continue;
    out[n] = '\0';
    if (char* nl = std::strchr(out, '\n')) *nl = '\0';
    return;
  }
  out[0] = '\0';
}

ProbeReport failed(NamespaceStep step, ProbeReport r) {
  r.step = static_cast<int>(step);
  r.err = errno;
  return r;
}

ProbeReport take_the_steps(uid_t uid, gid_t gid) {
  ProbeReport r;
  const bool as_root = uid == 0;
  if (!as_root) {
    if (::unshare(CLONE_NEWUSER) != 0) return failed(NamespaceStep::UserNamespace, r);
    read_label(r.label, sizeof r.label);
    char map[48];
    if (!write_text("/proc/self/setgroups", "deny")) return failed(NamespaceStep::IdMap, r);
    one_id_map(uid, map);
    if (!write_text("/proc/self/uid_map", map)) return failed(NamespaceStep::IdMap, r);
    one_id_map(gid, map);
    if (!write_text("/proc/self/gid_map", map)) return failed(NamespaceStep::IdMap, r);
  }
  if (::unshare(CLONE_NEWNS) != 0) return failed(NamespaceStep::MountNamespace, r);
  // As redirect/mounts.cpp enter_view() begins: nothing may propagate to the host,
  // then a scratch tmpfs on /tmp, hidden from everyone else by the new namespace.
  if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) return failed(NamespaceStep::Mount, r);
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return failed(NamespaceStep::Mount, r);
  for (const char* dir : {"/tmp/lower", "/tmp/upper", "/tmp/work", "/tmp/merged"}) {
    if (::mkdir(dir, 0755) != 0) return failed(NamespaceStep::Mount, r);
  }
  // userxattr: overlayfs's option for user namespaces (trusted.* xattrs are out of
  // reach there), as the backend mounts its overlays.
  const char* options = as_root ? "lowerdir=/tmp/lower,upperdir=/tmp/upper,workdir=/tmp/work"
                                : "lowerdir=/tmp/lower,upperdir=/tmp/upper,workdir=/tmp/work,userxattr";
  if (::mount("overlay", "/tmp/merged", "overlay", MS_NOSUID | MS_NODEV, options) != 0) {
    return failed(NamespaceStep::Overlay, r);
  }
  return r;
}

}  // namespace

NamespaceProbe NamespaceProbe::start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_sys("cannot create a pipe for", "the namespace probe", errno, Exit::Environment);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_sys("cannot fork", "the namespace probe", errno, Exit::Environment);
  if (pid == 0) {
    const ProbeReport r = take_the_steps(uid, gid);
    const bool sent = ::write(write_end.get(), &r, sizeof r) == static_cast<ssize_t>(sizeof r);
    ::_exit(sent ? 0 : 1);
  }
  return NamespaceProbe(pid, std::move(read_end));
}

NamespaceProbe::NamespaceProbe(NamespaceProbe&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), report_(std::move(other.report_)) {}

NamespaceProbe::~NamespaceProbe() {
  if (pid_ <= 0) return;
  report_.reset();
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

NamespaceSupport NamespaceProbe::answer() {
  ProbeReport r;
  ssize_t n;
  do n = ::read(report_.get(), &r, sizeof r);
  while (n < 0 && errno == EINTR);
  report_.reset();
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (n != static_cast<ssize_t>(sizeof r)) {
    throw Error(Exit::Internal, "the namespace probe ended without an answer");
  }
  r.label[sizeof r.label - 1] = '\0';
  NamespaceFacts facts = read_namespace_facts();
  facts.apparmor_label = r.label;
  return diagnose_refusal(static_cast<NamespaceStep>(r.step), r.err, facts);
}

NamespaceSupport probe_namespace_support() { return NamespaceProbe::start().answer(); }

}  // namespace appv
