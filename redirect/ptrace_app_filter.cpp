#include "redirect/ptrace_app_filter.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "base/error.h"

namespace appv {
namespace {

#if !defined(__x86_64__)
#error "the ptrace backend's filter names x86_64 system-call numbers"
#endif

constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT

// Calls newer than kNewestKnownCall that take no path (x86_64 numbers: the
// headers of an older build host may lack their names).
constexpr uint32_t kNewerWithoutPath[] = {
    453,  // map_shadow_stack (6.6)
    454,  // futex_wake (6.7)
    455,  // futex_wait
    456,  // futex_requeue
    462,  // mseal (6.10)
};

// ioctl requests that change a file's inode flags (chattr) or fsxattr.
constexpr uint32_t kInodeFlagWrites[] = {FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_FSSETXATTR};

uint32_t refuse(int err) { return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(err) & SECCOMP_RET_DATA); }

class Program {
 public:
  void load_nr() { f_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr))); }
  void ret(uint32_t action) { f_.push_back(BPF_STMT(BPF_RET | BPF_K, action)); }
  // nr == `nr` -> `action` (the accumulator holds nr, and still does after).
  void on_nr(uint32_t nr, uint32_t action) {
    f_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    ret(action);
  }
  // nr == `nr` and the low word of argument `arg` has a bit of `bits` -> `action`;
  // nr is loaded again after.
  void on_nr_arg_bits(uint32_t nr, unsigned arg, uint32_t bits, uint32_t action) {
    f_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
    f_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * arg)));
    f_.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1));
    ret(action);
    load_nr();
  }
  // nr == `nr` and the low word of argument `arg` equals `value` -> `action`; nr is
  // loaded again after.
  void on_nr_arg_equal(uint32_t nr, unsigned arg, uint32_t value, uint32_t action) {
    f_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
    f_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * arg)));
    f_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    ret(action);
    load_nr();
  }
  void raw(sock_filter s) { f_.push_back(s); }
  std::vector<sock_filter> take() { return std::move(f_); }

 private:
  std::vector<sock_filter> f_;
};

}  // namespace

std::vector<sock_filter> ptrace_app_rules() {
  Program p;
  // The ABI first: a number means another call under another arch.
  p.raw(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.raw(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  p.ret(SECCOMP_RET_KILL_PROCESS);
  p.load_nr();
  p.raw(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1));
  p.ret(SECCOMP_RET_KILL_PROCESS);
  p.on_nr_arg_bits(SYS_seccomp, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER, refuse(EPERM));
  p.on_nr_arg_bits(SYS_clone, 0, CLONE_UNTRACED, refuse(EPERM));
  p.on_nr(SYS_ptrace, refuse(EPERM));
  // A process that is not dumpable is closed to its tracer too: the supervisor could
  // no longer read its paths (process_vm_readv), its descriptors (/proc/PID/fd,
  // pidfd_getfd) or its memory, and would see nothing to redirect. The app's
  // prctl(PR_SET_DUMPABLE) answers success and changes nothing (ssh-agent, gpg-agent
  // and password managers set 0 to keep other processes of the user out; they run on
  // with their memory readable by those, as it is to appv).
  p.on_nr_arg_equal(SYS_prctl, 0, PR_SET_DUMPABLE, refuse(0));
  // Inode flags and project attributes through any descriptor, even a read-only one
  // of a lower (host) file: ioctls the tracer does not see.
  for (const uint32_t request : kInodeFlagWrites) p.on_nr_arg_equal(SYS_ioctl, 1, request, refuse(EPERM));
  // Paths the supervisor does not translate, in calls no packaged app needs: a handle
  // names a host file (its existence under a hidden tree, its inode), a mark watches
  // one. EOPNOTSUPP is what a file system without handles answers, EPERM what an
  // unprivileged fanotify_init got before Linux 5.13: callers fall back.
  p.on_nr(SYS_name_to_handle_at, refuse(EOPNOTSUPP));
  p.on_nr(SYS_fanotify_init, refuse(EPERM));
  p.on_nr(SYS_fanotify_mark, refuse(EPERM));
  constexpr uint32_t kIoUring[] = {SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register};
  for (const uint32_t nr : kIoUring) p.on_nr(nr, refuse(ENOSYS));
  p.raw(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(kNewestKnownCall), 0,
                 static_cast<uint8_t>(2 * std::size(kNewerWithoutPath) + 1)));
  for (const uint32_t nr : kNewerWithoutPath) p.on_nr(nr, SECCOMP_RET_ALLOW);
  p.ret(refuse(ENOSYS));
  p.ret(SECCOMP_RET_ALLOW);
  return p.take();
}

void install_ptrace_app_filter() {
  std::vector<sock_filter> f = ptrace_app_rules();
  sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    throw_sys("cannot load", "the ptrace backend's system-call rules", errno, Exit::Environment);
  }
}

}  // namespace appv
