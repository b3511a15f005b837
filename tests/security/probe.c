/* A hostile app for tests/security/escape_probe.sh: from inside its view it tries every
 * way out of the containment it knows and prints one line per attempt,
 * "blocked NAME (why)" or "ESCAPED NAME detail". Each attempt is harmless if it
 * succeeds (it undoes itself or writes back what it read), so a regression shows as
 * ESCAPED and not as a damaged host. Exit status: the number of escapes.
 *
 * Usage: probe [HOST_PID]  (HOST_PID: a host process the app must not signal, trace or
 * enter through /proc; those attempts are made only when given). Needs a terminal on
 * fd 0 for TIOCSTI. Files opened for writing are closed without a byte written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

static int escapes;

static void report(const char *name, long rc, const char *detail) {
  if (rc == -1) {
    printf("blocked %s (%s)\n", name, strerror(errno));
  } else {
    printf("ESCAPED %s %s\n", name, detail);
    ++escapes;
  }
  fflush(stdout);
}

static void try_tty(void) {
  char c = '\n';
  report("tiocsti", ioctl(0, TIOCSTI, &c), "pushed a newline into the terminal's input");
  report("tiocsti-high-bits", syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c), "pushed input with a 64-bit request");
  char sub = 12; /* TIOCL_GETFGCONSOLE: read-only */
  report("tioclinux", ioctl(0, TIOCLINUX, &sub), "reached the console driver");
}

static void try_keys(void) {
  report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0), "read the user keyring");
  long key = syscall(SYS_add_key, "user", "appv-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
  report("add_key", key, "added a key");
  report("request_key", syscall(SYS_request_key, "user", "appv-probe", NULL, 0), "found a key");
}

static void try_mounts(void) {
  long rc = mount("none", "/tmp", "tmpfs", 0, NULL);
  if (rc == 0) umount2("/tmp", MNT_DETACH);
  report("mount", rc, "mounted a tmpfs");
  report("umount", umount2("/proc", MNT_DETACH), "unmounted /proc");
  long fd = syscall(SYS_fsopen, "tmpfs", 0);
  report("fsopen", fd, "opened a filesystem context");
  if (fd >= 0) close((int)fd);
  fd = syscall(SYS_open_tree, AT_FDCWD, "/", 0x1 /* OPEN_TREE_CLONE */);
  report("open_tree", fd, "cloned the root mount");
  if (fd >= 0) close((int)fd);
  report("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp"), "pivoted the root");
  report("chroot", chroot("/tmp"), "chrooted");
}

static void try_namespaces(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
  int st = 0;
  waitpid(pid, &st, 0);
  errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
  report("unshare-newuser", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1, "created a user namespace");
  long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) _exit(0);
  if (child > 0) waitpid((pid_t)child, NULL, 0);
  report("clone-newuser", child, "cloned into a user namespace");
  int self = open("/proc/self/ns/mnt", O_RDONLY);
  report("setns", setns(self, CLONE_NEWNS), "re-entered a mount namespace");
  if (self >= 0) close(self);
}

static void try_kernel(void) {
  report("bpf", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0), "reached bpf");
  report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), "reached perf");
  long uffd = syscall(SYS_userfaultfd, 0);
  report("userfaultfd", uffd, "created a userfaultfd");
  report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0), "reached kexec");
  report("init_module", syscall(SYS_init_module, NULL, 0, ""), "reached the module loader");
  report("delete_module", syscall(SYS_delete_module, "appv_probe_none", O_NONBLOCK), "reached the module unloader");
  report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0), "reached open_by_handle_at");
  report("syslog", syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), "read the kernel log size");
  report("acct", syscall(SYS_acct, NULL), "reached process accounting");
  report("personality", syscall(SYS_personality, 0x0400000 /* READ_IMPLIES_EXEC */), "set READ_IMPLIES_EXEC");
}

static void try_privileges(void) {
  report("setuid-0", getuid() == 0 ? -1 : setuid(0), "became uid 0");
  if (getuid() == 0) errno = 0;
  report("mknod", mknod("/tmp/appv-probe-null", S_IFCHR | 0666, makedev(1, 3)), "created a device node");
  unlink("/tmp/appv-probe-null");
  /* A capability-guarded call any root could make: renice below 0. */
  report("capability", syscall(SYS_setpriority, 0 /* PRIO_PROCESS */, 0, -5), "raised its priority");
  report("no_new_privs-cleared", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? -1 : 0, "runs without no_new_privs");
}

static void try_host_pid(pid_t host) {
  char detail[64], path[64];
  snprintf(detail, sizeof detail, "signalled host pid %d", (int)host);
  report("kill-host", kill(host, 0), detail);
  long rc = ptrace(PTRACE_ATTACH, host, 0, 0);
  if (rc == 0) ptrace(PTRACE_DETACH, host, 0, 0);
  report("ptrace-host", rc, "attached to a host process");
  snprintf(path, sizeof path, "/proc/%d/root/etc/hostname", (int)host);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  report("proc-root-host", fd, "opened a file through a host process's /proc/<pid>/root");
  if (fd >= 0) close(fd);
}

/* pid 1 is appv's init: controlling it would run calls the filter refuses through a
 * process that has none, or forge the exit status it reports. */
static void try_init(void) {
  long rc = ptrace(PTRACE_SEIZE, 1, 0, 0);
  if (rc == 0) ptrace(PTRACE_DETACH, 1, 0, 0);
  report("ptrace-init", rc, "attached to the namespace's init");
  int fd = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
  report("init-mem", fd, "opened init's memory");
  if (fd >= 0) close(fd);
  /* Its descriptors (the pipe that carries the app's status to appv) opened anew. */
  int opened = -1, refusal = ENOENT;
  for (int n = 0; n < 64 && opened < 0; ++n) {
    char path[32];
    snprintf(path, sizeof path, "/proc/1/fd/%d", n);
    opened = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (opened < 0 && errno != ENOENT) refusal = errno;
  }
  errno = refusal;
  report("init-fds", opened, "opened one of init's file descriptors");
  if (opened >= 0) close(opened);
}

/* Opened for writing, never written: the open alone shows the door is open. */
static void try_open_write(const char *name, const char *path, const char *detail) {
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  report(name, fd, detail);
  if (fd >= 0) close(fd);
}

/* Kernel-wide files that uid 0 may write without any capability, and raw devices. */
static void try_kernel_files(void) {
  try_open_write("sysrq-trigger", "/proc/sysrq-trigger", "could trigger sysrq (crash, reboot)");
  try_open_write("sysctl", "/proc/sys/kernel/hostname", "could write a sysctl");
  try_open_write("sysfs", "/sys/kernel/mm/transparent_hugepage/enabled", "could write a kernel attribute in /sys");
  try_open_write("kmsg", "/dev/kmsg", "could write the kernel log");
  try_open_write("dev-mem", "/dev/mem", "could write physical memory");
  /* Every block device /dev shows: a raw disk written past the overlay. */
  DIR *dev = opendir("/dev");
  int blocks = 0;
  struct dirent *e;
  while (dev && (e = readdir(dev)) != NULL) {
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "/dev/%s", e->d_name);
    if (lstat(path, &st) != 0 || !S_ISBLK(st.st_mode)) continue;
    ++blocks;
    try_open_write("block-device", path, path);
  }
  if (dev) closedir(dev);
  if (blocks == 0) {
    errno = ENOENT;
    report("block-device", -1, "");
  }
  /* The user's other terminals (the probe itself opened none): reading one steals
   * what is typed there, a sudo password included. */
  int pty = -1, why = ENOENT;
  for (int n = 0; n < 64 && pty < 0; ++n) {
    char path[32];
    snprintf(path, sizeof path, "/dev/pts/%d", n);
    pty = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (pty < 0 && errno != ENOENT) why = errno;
  }
  errno = why;
  report("host-pty", pty, "opened a terminal of the host");
  if (pty >= 0) close(pty);
  /* Host processes listed in /proc: the app's PID namespace holds a handful. */
  DIR *proc = opendir("/proc");
  int pids = 0;
  while (proc && (e = readdir(proc)) != NULL) pids += e->d_name[0] >= '1' && e->d_name[0] <= '9';
  if (proc) closedir(proc);
  char detail[64];
  snprintf(detail, sizeof detail, "sees %d processes in /proc", pids);
  if (pids > 8) report("proc-processes", 0, detail);
  else {
    errno = ESRCH;
    report("proc-processes", -1, "");
  }
}

int main(int argc, char **argv) {
  try_tty();
  try_keys();
  try_mounts();
  try_namespaces();
  try_kernel();
  try_privileges();
  try_kernel_files();
  try_init();
  if (argc > 1) try_host_pid((pid_t)atoi(argv[1]));
  return escapes;
}
