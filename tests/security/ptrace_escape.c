// A hostile app for security/ptrace_redirection.sh: system calls the ptrace backend's
// filters may not see. Plain C, no project warnings: it calls the kernel the way an
// attacker would.
//   ptrace_escape i386 PATH TEXT   open(PATH, O_WRONLY|O_CREAT|O_TRUNC) and write TEXT
//                                  through the i386 ABI (int $0x80) from a 64-bit process
//   ptrace_escape uring PATH TEXT  the same open through io_uring's IORING_OP_OPENAT,
//                                  then write(2)
//   ptrace_escape x32 PATH         openat through the x32 ABI (nr | 0x40000000)
// Exit status 0 when the open succeeded, 1 when it was refused, 2 for bad usage.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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

int main(int argc, char** argv) {
  if (argc >= 4 && strcmp(argv[1], "i386") == 0) return via_i386(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "uring") == 0) return via_uring(argv[2], argv[3]);
  if (argc >= 3 && strcmp(argv[1], "x32") == 0) {
    long fd = syscall(0x40000000 | SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT, 0644);
    printf("x32 openat = %ld\n", fd);
    return fd >= 0 ? 0 : 1;
  }
  fprintf(stderr, "usage: ptrace_escape i386|uring PATH TEXT | x32 PATH\n");
  return 2;
}
