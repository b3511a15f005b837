/* refuse: runs a command as an unprivileged user on a host made to refuse appv's
 * namespaces one way, as the machines appv's users have do. Run as root; the
 * conditions are made first, then the command runs as UID:GID (no supplementary
 * groups) with whatever environment it was given.
 *
 *   refuse KIND UID GID -- CMD [ARG...]
 *
 * KIND:
 *   none            nothing refused: the control, showing the command works here
 *   max-userns      a user namespace made here (every uid and gid mapped to itself)
 *                   with user.max_user_namespaces=0 set inside it: no user namespace
 *                   can be made below it, as on a host with the sysctl at 0
 *   seccomp-userns  a seccomp filter as Docker's default profile has for a container
 *                   without CAP_SYS_ADMIN: unshare refused (EPERM), clone with any
 *                   namespace flag refused (EPERM), clone3 answered ENOSYS (its flags
 *                   are in memory a filter cannot read, and libc falls back to clone)
 *   seccomp-mount   user namespaces allowed, every mount call refused with EPERM
 *                   (mount, umount2, pivot_root and the new mount API): what Ubuntu's
 *                   AppArmor restriction does to a namespace, without AppArmor
 *   apparmor-standin  seccomp-mount on a host whose /proc says what Ubuntu >= 23.10's
 *                   does: kernel.apparmor_restrict_unprivileged_userns=1 (a tmpfs
 *                   over /proc/sys/kernel in a mount namespace of the command's own)
 *
 * Exit status: the command's, or 125 when a condition cannot be made, 126/127 when
 * the command cannot be executed. Plain C with libseccomp: it calls the kernel the
 * way a container runtime does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "refuse: %s: %s\n", what, strerror(errno));
  exit(125);
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) die(path);
  close(fd);
}

static void check(int rc, const char *name) {
  /* -EDOM, -EOPNOTSUPP: a call this architecture lacks. */
  if (rc != 0 && rc != -EDOM && rc != -EOPNOTSUPP) {
    errno = -rc;
    die(name);
  }
}

/* Every call of `name` answers `action`. */
static void refuse_call(scmp_filter_ctx ctx, uint32_t action, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr != __NR_SCMP_ERROR) check(seccomp_rule_add(ctx, action, nr, 0), name);
}

/* clone with any namespace flag answers EPERM; other clones (fork, threads) pass.
 * Docker allows clone when (flags & 0x7E020000) == 0; libseccomp has no masked
 * not-equal, so one rule per flag (the rules of one call are alternatives). */
static void refuse_namespace_clones(scmp_filter_ctx ctx) {
  static const unsigned long flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i])),
          "clone");
  }
}

static void load_filter(int mounts) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) die("seccomp_init");
  if (mounts) {
    static const char *calls[] = {"mount",   "umount",    "umount2",  "pivot_root", "fsopen",       "fsconfig",
                                  "fsmount", "fspick",    "move_mount", "open_tree", "mount_setattr"};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) refuse_call(ctx, SCMP_ACT_ERRNO(EPERM), calls[i]);
  } else {
    refuse_call(ctx, SCMP_ACT_ERRNO(EPERM), "unshare");
    refuse_namespace_clones(ctx);
    refuse_call(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
  }
  if (seccomp_load(ctx) != 0) die("seccomp_load");
  seccomp_release(ctx);
}

static void drop_to(uid_t uid, gid_t gid) {
  if (setgroups(0, NULL) != 0) die("setgroups");
  if (setresgid(gid, gid, gid) != 0) die("setresgid");
  if (setresuid(uid, uid, uid) != 0) die("setresuid");
}

/* A user namespace mapping every id to itself, made by root: this process forks, the
 * child unshares and waits, the parent (outside) writes the maps, as only a process
 * outside may map more than its own id. The parent then waits for the child and ends
 * as it does; the child returns, root of the new namespace. */
static void enter_mapped_user_namespace(void) {
  int ready[2], mapped[2];
  if (pipe(ready) != 0 || pipe(mapped) != 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  char c = 0;
  if (pid == 0) {
    if (unshare(CLONE_NEWUSER) != 0) die("unshare(CLONE_NEWUSER)");
    if (write(ready[1], &c, 1) != 1 || read(mapped[0], &c, 1) != 1) die("pipe");
    if (c != 1) exit(125);
    return;
  }
  if (read(ready[0], &c, 1) != 1) die("the child's namespace");
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
  write_file(path, "0 0 4294967295\n");
  snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
  write_file(path, "0 0 4294967295\n");
  c = 1;
  if (write(mapped[1], &c, 1) != 1) die("pipe");
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  if (WIFSIGNALED(status)) exit(128 + WTERMSIG(status));
  exit(WEXITSTATUS(status));
}

/* /proc/sys/kernel as Ubuntu >= 23.10 shows it, in a mount namespace of this process. */
static void show_apparmor_restriction(void) {
  if (unshare(CLONE_NEWNS) != 0) die("unshare(CLONE_NEWNS)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("private /");
  if (mount("tmpfs", "/proc/sys/kernel", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") != 0) die("tmpfs on /proc/sys/kernel");
  int fd = open("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, "1\n", 2) != 2) die("apparmor_restrict_unprivileged_userns");
  close(fd);
  if (mount(NULL, "/proc/sys/kernel", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("read-only");
}

int main(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: refuse none|max-userns|seccomp-userns|seccomp-mount|apparmor-standin UID GID -- CMD [ARG...]\n");
    return 2;
  }
  const char *kind = argv[1];
  uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);
  gid_t gid = (gid_t)strtoul(argv[3], NULL, 10);
  if (geteuid() != 0) {
    fprintf(stderr, "refuse: run as root: the conditions are made as root, then the command runs as %u\n", (unsigned)uid);
    return 125;
  }
  int filter = -1; /* -1 none, 0 user namespaces, 1 mounts */
  if (strcmp(kind, "none") == 0) {
  } else if (strcmp(kind, "max-userns") == 0) {
    enter_mapped_user_namespace();
    write_file("/proc/sys/user/max_user_namespaces", "0\n");
  } else if (strcmp(kind, "seccomp-userns") == 0) {
    filter = 0;
  } else if (strcmp(kind, "seccomp-mount") == 0) {
    filter = 1;
  } else if (strcmp(kind, "apparmor-standin") == 0) {
    show_apparmor_restriction();
    filter = 1;
  } else {
    fprintf(stderr, "refuse: unknown kind '%s'\n", kind);
    return 2;
  }
  drop_to(uid, gid);
  if (filter >= 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
    load_filter(filter);
  }
  execvp(argv[5], argv + 5);
  int err = errno;
  fprintf(stderr, "refuse: cannot execute %s: %s\n", argv[5], strerror(err));
  return err == ENOENT ? 127 : 126;
}
