// Prototype (b): seccomp user notifications. The supervisor opens translated files
// itself and injects the fd (ADDFD_FLAG_SEND); stat-like calls are answered by writing
// the result into the caller's memory; everything else continues in the caller.
// usage: proto_notif FROM TO cmd args...
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

struct call { int nr, path_arg, emptypath_arg; };
static const struct call calls[] = {
    {SYS_open, 0, -1},      {SYS_openat, 1, -1},     {SYS_stat, 0, -1},     {SYS_lstat, 0, -1},
    {SYS_newfstatat, 1, 3}, {SYS_statx, 1, 2},       {SYS_access, 0, -1},   {SYS_faccessat, 1, -1},
    {SYS_faccessat2, 1, -1}, {SYS_readlink, 0, -1}, {SYS_readlinkat, 1, -1}, {SYS_statfs, 0, -1},
    {SYS_getcwd, -1, -1},
};
#define NCALLS (sizeof calls / sizeof calls[0])

static int install(void) {
  struct sock_filter f[128];
  int n = 0;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (size_t i = 0; i < NCALLS; i++) {
    if (calls[i].emptypath_arg < 0) {
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i].nr, 0, 1);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    } else {
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i].nr, 0, 4);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * calls[i].emptypath_arg);
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH, 0, 1);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
      f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    }
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog p = {(unsigned short)n, f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) _exit(122);
  int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &p);
  if (fd < 0) _exit(123);
  return fd;
}

static void send_fd(int sock, int fd) {
  char c = 0;
  struct iovec io = {&c, 1};
  char buf[CMSG_SPACE(sizeof(int))];
  memset(buf, 0, sizeof buf);
  struct msghdr m = {0};
  m.msg_iov = &io, m.msg_iovlen = 1, m.msg_control = buf, m.msg_controllen = sizeof buf;
  struct cmsghdr* c1 = CMSG_FIRSTHDR(&m);
  c1->cmsg_level = SOL_SOCKET, c1->cmsg_type = SCM_RIGHTS, c1->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c1), &fd, sizeof fd);
  sendmsg(sock, &m, 0);
}

static int recv_fd(int sock) {
  char c;
  struct iovec io = {&c, 1};
  char buf[CMSG_SPACE(sizeof(int))];
  struct msghdr m = {0};
  m.msg_iov = &io, m.msg_iovlen = 1, m.msg_control = buf, m.msg_controllen = sizeof buf;
  if (recvmsg(sock, &m, 0) <= 0) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
  return fd;
}

static const char *from, *to;
static size_t from_len;

static int read_path(pid_t pid, unsigned long long addr, char* path) {
  size_t chunk = 4096 - (addr % 4096);
  struct iovec l = {path, chunk}, r = {(void*)addr, chunk};
  ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
  if (n <= 0) return -1;
  if (!memchr(path, 0, n)) {
    struct iovec l2 = {path + n, 4096 - n}, r2 = {(void*)(addr + n), 4096 - n};
    ssize_t m = process_vm_readv(pid, &l2, 1, &r2, 1, 0);
    if (m > 0) n += m;
    path[n < 4096 ? n : 4096] = 0;
  }
  return 0;
}

static int write_mem(pid_t pid, unsigned long long addr, const void* data, size_t len) {
  struct iovec l = {(void*)data, len}, r = {(void*)addr, len};
  return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char** argv) {
  from = argv[1], to = argv[2];
  from_len = strlen(from);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  if (!getenv("NOPIN")) sched_setaffinity(0, sizeof one, &one);
  int sp[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
  pid_t child = fork();
  if (child == 0) {
    int fd = install();
    send_fd(sp[1], fd);
    close(fd);
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int listener = recv_fd(sp[0]);
  struct seccomp_notif_sizes sizes;
  syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
  struct seccomp_notif* req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  struct seccomp_notif_resp* resp = calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
  unsigned long stops = 0;
  for (;;) {
    memset(req, 0, sizes.seccomp_notif);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
      if (errno == EINTR) continue;
      break;  // every process with the filter is gone
    }
    stops++;
    memset(resp, 0, sizes.seccomp_notif_resp);
    resp->id = req->id;
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    int nr = req->data.nr, pa = -1;
    for (size_t i = 0; i < NCALLS; i++)
      if (calls[i].nr == nr) pa = calls[i].path_arg;
    char path[4097], out[8192];
    if (pa >= 0 && read_path(req->pid, req->data.args[pa], path) == 0 &&
        strncmp(path, from, from_len) == 0 && (path[from_len] == 0 || path[from_len] == '/') &&
        ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0) {
      snprintf(out, sizeof out, "%s%s", to, path + from_len);
      const unsigned long long* a = req->data.args;
      if (nr == SYS_openat || nr == SYS_open) {
        int flags = (int)(nr == SYS_open ? a[1] : a[2]);
        int mode = (int)(nr == SYS_open ? a[2] : a[3]);
        int fd = openat(AT_FDCWD, out, flags, mode);
        if (fd < 0) {
          resp->flags = 0, resp->error = -errno;
        } else {
          struct seccomp_notif_addfd add = {0};
          add.id = req->id;
          add.flags = SECCOMP_ADDFD_FLAG_SEND;
          add.srcfd = fd;
          add.newfd_flags = flags & O_CLOEXEC;
          ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
          close(fd);
          continue;  // the reply was sent with the fd
        }
      } else if (nr == SYS_newfstatat || nr == SYS_stat || nr == SYS_lstat) {
        struct stat st;
        int fl = nr == SYS_newfstatat ? (int)a[3] : nr == SYS_lstat ? AT_SYMLINK_NOFOLLOW : 0;
        unsigned long long buf = nr == SYS_newfstatat ? a[2] : a[1];
        if (fstatat(AT_FDCWD, out, &st, fl) != 0) resp->flags = 0, resp->error = -errno;
        else if (write_mem(req->pid, buf, &st, sizeof st) != 0) resp->flags = 0, resp->error = -EFAULT;
        else resp->flags = 0, resp->val = 0;
      } else if (nr == SYS_statx) {
        struct statx sx;
        if (statx(AT_FDCWD, out, (int)a[2], (unsigned)a[3], &sx) != 0) resp->flags = 0, resp->error = -errno;
        else if (write_mem(req->pid, a[4], &sx, sizeof sx) != 0) resp->flags = 0, resp->error = -EFAULT;
        else resp->flags = 0, resp->val = 0;
      } else if (nr == SYS_access || nr == SYS_faccessat || nr == SYS_faccessat2) {
        int mode = (int)(nr == SYS_access ? a[1] : a[2]);
        if (faccessat(AT_FDCWD, out, mode, 0) != 0) resp->flags = 0, resp->error = -errno;
        else resp->flags = 0, resp->val = 0;
      }
    }
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
  }
  int st = 0;
  waitpid(child, &st, 0);
  if (getenv("STOPS")) fprintf(stderr, "stops %lu\n", stops);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
