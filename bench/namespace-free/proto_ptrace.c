// Prototype (a): seccomp RET_TRACE stops only path calls; the tracer rewrites a path
// prefix into tracee memory below the red zone and points the register at it.
// usage: proto_ptrace FROM TO cmd args...
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static long pt(long req, pid_t pid, void* a, void* d) { return syscall(SYS_ptrace, req, pid, a, d); }

struct call { int nr, path_arg, emptypath_arg; };
static const struct call calls[] = {
    {SYS_open, 0, -1},     {SYS_openat, 1, -1},     {SYS_openat2, 1, -1},   {SYS_stat, 0, -1},
    {SYS_lstat, 0, -1},    {SYS_newfstatat, 1, 3},  {SYS_statx, 1, 2},      {SYS_access, 0, -1},
    {SYS_faccessat, 1, -1}, {SYS_faccessat2, 1, -1}, {SYS_readlink, 0, -1}, {SYS_readlinkat, 1, -1},
    {SYS_execve, 0, -1},   {SYS_statfs, 0, -1},     {SYS_getcwd, -1, -1},
};
#define NCALLS (sizeof calls / sizeof calls[0])

static void filter(void) {
  struct sock_filter f[128];
  int n = 0;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (size_t i = 0; i < NCALLS; i++) {
    if (calls[i].emptypath_arg < 0) {
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i].nr, 0, 1);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    } else {
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i].nr, 0, 4);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * calls[i].emptypath_arg);
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH, 0, 1);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    }
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog p = {(unsigned short)n, f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p)) _exit(122);
}

static const char *from, *to;
static size_t from_len, to_len;
static unsigned long stops;

static unsigned long long* arg_reg(struct user_regs_struct* r, int i) {
  switch (i) {
    case 0: return &r->rdi;
    case 1: return &r->rsi;
    case 2: return &r->rdx;
    case 3: return &r->r10;
    case 4: return &r->r8;
    default: return &r->r9;
  }
}

static void on_stop(pid_t pid) {
  stops++;
  struct ptrace_syscall_info info;
  if (pt(PTRACE_GET_SYSCALL_INFO, pid, (void*)sizeof info, &info) <= 0) return;
  int pa = -1;
  for (size_t i = 0; i < NCALLS; i++)
    if (calls[i].nr == (int)info.seccomp.nr) pa = calls[i].path_arg;
  if (pa < 0) return;
  char path[4096 + 1];
  unsigned long long addr = info.seccomp.args[pa];
  size_t chunk = 4096 - (addr % 4096);
  struct iovec l = {path, chunk}, r = {(void*)addr, chunk};
  ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
  if (n <= 0) return;
  if (!memchr(path, 0, n)) {  // crosses a page: read the next one too
    struct iovec l2 = {path + n, 4096 - n}, r2 = {(void*)(addr + n), 4096 - n};
    ssize_t m = process_vm_readv(pid, &l2, 1, &r2, 1, 0);
    if (m > 0) n += m;
    path[n < 4096 ? n : 4096] = 0;
  }
  if (strncmp(path, from, from_len) != 0 || (path[from_len] != 0 && path[from_len] != '/')) return;
  char out[8192];
  size_t len = (size_t)snprintf(out, sizeof out, "%s%s", to, path + from_len) + 1;
  struct user_regs_struct regs;
  if (pt(PTRACE_GETREGS, pid, 0, &regs) != 0) return;
  unsigned long long where = (regs.rsp - 128 - len) & ~15ULL;  // below the red zone
  struct iovec wl = {out, len}, wr = {(void*)where, len};
  if (process_vm_writev(pid, &wl, 1, &wr, 1, 0) != (ssize_t)len) return;
  *arg_reg(&regs, pa) = where;
  pt(PTRACE_SETREGS, pid, 0, &regs);
}

int main(int argc, char** argv) {
  from = argv[1], to = argv[2];
  from_len = strlen(from), to_len = strlen(to);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  if (!getenv("NOPIN")) sched_setaffinity(0, sizeof one, &one);
  pid_t child = fork();
  if (child == 0) {
    pt(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    filter();
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int st;
  waitpid(child, &st, 0);
  pt(PTRACE_SETOPTIONS, child, 0,
     (void*)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                   PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
  pt(PTRACE_CONT, child, 0, 0);
  int status = 0;
  for (;;) {
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0) break;
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      if (pid == child) status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      continue;
    }
    int sig = WSTOPSIG(st), ev = st >> 16;
    long inject = 0;
    if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) on_stop(pid);
    else if (sig == SIGTRAP && ev) ;
    else if (sig == SIGSTOP) ;
    else inject = sig;
    pt(PTRACE_CONT, pid, 0, (void*)inject);
  }
  if (getenv("STOPS")) fprintf(stderr, "stops %lu\n", stops);
  return status;
}
