#include "redirect/seccomp_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace appv {
namespace {

// Names, not numbers: libseccomp knows each architecture's numbers (and those an
// architecture lacks, which are then skipped).
constexpr const char* kRefused[] = {
    "syslog", "uselib", "acct", "quotactl", "modify_ldt",
    "add_key", "keyctl", "request_key",
    "move_pages", "mbind", "get_mempolicy", "set_mempolicy", "migrate_pages",
    "unshare", "setns",
    "mount", "umount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "open_by_handle_at",
};

struct Filter {
  scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_ALLOW);
  ~Filter() {
    if (ctx) ::seccomp_release(ctx);
  }
};

[[noreturn]] void fail(const std::string& what, int rc) {
  throw Error(Exit::Environment, fmt::format("cannot {} the system-call filter: {}", what, errno_text(-rc)));
}

void add(scmp_filter_ctx ctx, const char* name, uint32_t action, unsigned count, const scmp_arg_cmp* args) {
  const int nr = ::seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return;  // unknown to this libseccomp
  const int rc = ::seccomp_rule_add_array(ctx, action, nr, count, args);
  // -EDOM / -EOPNOTSUPP: a call this architecture lacks (e.g. umount on some).
  if (rc != 0 && rc != -EDOM && rc != -EOPNOTSUPP) fail(fmt::format("add {} to", name), rc);
}

// One argument comparison (libseccomp's SCMP_A*_64 macros, spelled out so that every
// field is initialised): for SCMP_CMP_MASKED_EQ `a` is the mask and `b` the value,
// for the other operators `a` is the value.
scmp_arg_cmp compare(unsigned arg, scmp_compare op, scmp_datum_t a, scmp_datum_t b) {
  scmp_arg_cmp c{};
  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

// The rules of the header, compiled by libseccomp into a BPF program (its
// seccomp_export_bpf writes to a file descriptor: a memfd, read back).
std::vector<sock_filter> build_program() {
  Filter f;
  if (!f.ctx) throw Error(Exit::Environment, "cannot create the system-call filter (libseccomp)");
#if defined(__x86_64__)
  if (const int rc = ::seccomp_arch_add(f.ctx, SCMP_ARCH_X86); rc != 0 && rc != -EEXIST) fail("add i386 to", rc);
#endif
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kRefused) add(f.ctx, name, eperm, 0, nullptr);

  const scmp_arg_cmp tiocsti = compare(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI);
  add(f.ctx, "ioctl", eperm, 1, &tiocsti);
  const scmp_arg_cmp tioclinux = compare(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX);
  add(f.ctx, "ioctl", eperm, 1, &tioclinux);

  // clone's flags are its first argument on x86 and most others (not s390, which
  // appv does not build for).
  const scmp_arg_cmp newuser = compare(0, SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
  add(f.ctx, "clone", eperm, 1, &newuser);
  add(f.ctx, "clone3", SCMP_ACT_ERRNO(ENOSYS), 0, nullptr);

  // libseccomp allows one comparison per argument and rule, so "neither PER_LINUX nor
  // PER_LINUX32" becomes "above PER_LINUX32": every flag (READ_IMPLIES_EXEC,
  // ADDR_NO_RANDOMIZE, ...) and the 0xffffffff query lie above it; 1..7 are bare
  // execution domains without any flag.
  const scmp_arg_cmp other_personality = compare(0, SCMP_CMP_GT, PER_LINUX32, 0);
  add(f.ctx, "personality", eperm, 1, &other_personality);

  UniqueFd mem(::memfd_create("appv-seccomp", MFD_CLOEXEC));
  if (!mem) throw_sys("cannot create", "a memory file for the system-call filter", errno, Exit::Environment);
  if (const int rc = ::seccomp_export_bpf(f.ctx, mem.get()); rc != 0) fail("export", rc);
  struct stat st;
  if (::fstat(mem.get(), &st) != 0) throw_sys("cannot inspect", "the system-call filter", errno, Exit::Environment);
  const size_t bytes = static_cast<size_t>(st.st_size);
  if (bytes == 0 || bytes % sizeof(sock_filter) != 0 || bytes / sizeof(sock_filter) > BPF_MAXINSNS) {
    throw Error(Exit::Environment, fmt::format("cannot build the system-call filter: libseccomp wrote {} bytes", bytes));
  }
  std::vector<sock_filter> program(bytes / sizeof(sock_filter));
  if (::pread(mem.get(), program.data(), bytes, 0) != static_cast<ssize_t>(bytes)) {
    throw_sys("cannot read back", "the system-call filter", errno, Exit::Environment);
  }
  return program;
}

// This process's program; forked children inherit it with the rest of memory.
std::optional<std::vector<sock_filter>>& prepared() {
  static std::optional<std::vector<sock_filter>> program;
  return program;
}

}  // namespace

void prepare_seccomp_filter() {
  if (!prepared()) prepared() = build_program();
}

void install_seccomp_filter() {
  prepare_seccomp_filter();
  std::vector<sock_filter>& program = *prepared();
  // What libseccomp's seccomp_load does by default: no_new_privs, then the filter.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_sys("cannot set", "no_new_privs", errno, Exit::Environment);
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size());
  fprog.filter = program.data();
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) fail("load", -errno);
}

}  // namespace appv
