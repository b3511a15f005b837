#!/usr/bin/env python3
"""A user at a terminal, for tests: runs an interactive bash in a new pseudo-terminal
(the test is the terminal emulator) and plays the steps read from standard input, one
per line:

  size ROWS COLS      set the terminal's window size (the foreground job gets SIGWINCH)
  type TEXT           type TEXT; \\r \\n \\x03 (Ctrl-C) \\x1a (Ctrl-Z) and other
                      Python escapes are decoded
  expect REGEX [S]    wait up to S seconds (default 20) until the output since the last
                      expect matches REGEX (Python re, DOTALL); fail otherwise
  sleep S             wait S seconds, reading output meanwhile
  absent REGEX        fail if the output since the last expect matches REGEX

Exit status 0 when every step passed; 1 with the step, and the output seen, on
stderr otherwise. The shell's prompt is "PROMPT> "; job control is on.
"""
import codecs
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def main() -> int:
    pid, master = pty.fork()
    if pid == 0:
        env = dict(os.environ, PS1="PROMPT> ", TERM="dumb", PROMPT_COMMAND="", HISTFILE="/dev/null")
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    seen = b""      # all output, for the failure report
    pending = b""   # output since the last expect

    def read_for(seconds: float) -> None:
        nonlocal seen, pending
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                return
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            seen += data
            pending += data

    read_for(0.5)
    for number, line in enumerate(sys.stdin.read().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        verb, _, rest = line.partition(" ")
        if verb == "size":
            rows, cols = (int(x) for x in rest.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        elif verb == "type":
            os.write(master, codecs.decode(rest, "unicode_escape").encode("latin-1"))
        elif verb == "sleep":
            read_for(float(rest))
        elif verb == "expect":
            pattern, _, limit = rest.rpartition(" ")
            try:
                seconds = float(limit)
            except ValueError:
                pattern, seconds = rest, 20.0
            regex = re.compile(pattern.encode(), re.DOTALL)
            end = time.monotonic() + seconds
            while not regex.search(pending) and time.monotonic() < end:
                read_for(min(0.1, end - time.monotonic()))
            found = regex.search(pending)
            if not found:
                sys.stderr.write(f"step {number} ({line}) failed; output since the last expect:\n")
                sys.stderr.write(pending.decode(errors="replace") + "\n")
                os.kill(pid, 9)
                return 1
            pending = pending[found.end():]
        elif verb == "absent":
            if re.search(rest.encode(), pending, re.DOTALL):
                sys.stderr.write(f"step {number} ({line}) failed; output since the last expect:\n")
                sys.stderr.write(pending.decode(errors="replace") + "\n")
                os.kill(pid, 9)
                return 1
        else:
            sys.stderr.write(f"step {number}: unknown verb {verb!r}\n")
            return 2
    os.write(master, b"exit\r")
    read_for(1)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
