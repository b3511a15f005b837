// Compiles appv's system-call filter (redirect/seccomp_filter.h says what it refuses
// and why) with libseccomp, at build time: `appv-seccomp-gen OUT` writes the BPF
// program as C++ initialisers of struct sock_filter to OUT, which seccomp_filter.cpp
// includes. A launch then loads the program without compiling it (libseccomp took
// about a quarter of a millisecond per launch). Exits 1 with one line on stderr if
// libseccomp refuses a rule or OUT cannot be written.
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  std::fprintf(stderr, "appv-seccomp-gen: cannot %s: %s\n", what.c_str(), std::strerror(err));
  std::exit(1);
}

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

void add(scmp_filter_ctx ctx, const char* name, uint32_t action, unsigned count, const scmp_arg_cmp* args) {
  const int nr = ::seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return;  // unknown to this libseccomp
  const int rc = ::seccomp_rule_add_array(ctx, action, nr, count, args);
  // -EDOM / -EOPNOTSUPP: a call this architecture lacks (e.g. umount on some).
  if (rc != 0 && rc != -EDOM && rc != -EOPNOTSUPP) fail(std::string("add ") + name + " to the filter", -rc);
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
  if (!f.ctx) fail("create the filter (libseccomp)", ENOMEM);
#if defined(__x86_64__)
  if (const int rc = ::seccomp_arch_add(f.ctx, SCMP_ARCH_X86); rc != 0 && rc != -EEXIST) fail("add i386 to the filter", -rc);
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

  // A binary tree of the call numbers, not a chain: fewer instructions for each call
  // the app makes, and for the kernel, which runs the filter for every number when it
  // is loaded (its cache of calls always allowed).
  if (const int rc = ::seccomp_attr_set(f.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); rc != 0) fail("ask for a binary tree", -rc);
  const int mem = ::memfd_create("appv-seccomp", MFD_CLOEXEC);
  if (mem < 0) fail("create a memory file", errno);
  if (const int rc = ::seccomp_export_bpf(f.ctx, mem); rc != 0) fail("export the filter", -rc);
  struct stat st;
  if (::fstat(mem, &st) != 0) fail("inspect the exported filter", errno);
  const size_t bytes = static_cast<size_t>(st.st_size);
  if (bytes == 0 || bytes % sizeof(sock_filter) != 0 || bytes / sizeof(sock_filter) > BPF_MAXINSNS) {
    fail("use the exported filter (" + std::to_string(bytes) + " bytes)", EINVAL);
  }
  std::vector<sock_filter> program(bytes / sizeof(sock_filter));
  if (::pread(mem, program.data(), bytes, 0) != static_cast<ssize_t>(bytes)) fail("read back the filter", errno);
  ::close(mem);
  return program;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: appv-seccomp-gen OUT\n");
    return 2;
  }
  const std::vector<sock_filter> program = build_program();
  std::string text = "// Generated by appv-seccomp-gen (redirect/seccomp_program_gen.cpp) with libseccomp " +
                     std::to_string(seccomp_version()->major) + "." + std::to_string(seccomp_version()->minor) + "." +
                     std::to_string(seccomp_version()->micro) + "; not edited by hand.\n";
  char line[64];
  for (const sock_filter& i : program) {
    std::snprintf(line, sizeof line, "{0x%04x, %u, %u, 0x%08x},\n", i.code, i.jt, i.jf, i.k);
    text += line;
  }
  const std::string tmp = std::string(argv[1]) + ".tmp";
  std::FILE* out = std::fopen(tmp.c_str(), "w");
  if (!out) fail("create " + tmp, errno);
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fclose(out) != 0) fail("write " + tmp, errno);
  if (std::rename(tmp.c_str(), argv[1]) != 0) fail("rename " + tmp, errno);
  return 0;
}
