#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run a command on a fresh pseudo-terminal, copying its output to a file.

usage: tests/rig/ptyrun.py PIDFILE OUTFILE COMMAND [ARG...]

Bochs's term display needs a terminal. This gives it one (the command is
the session leader of a new pty), writes the command's pid to PIDFILE and
copies everything it prints to OUTFILE until the pty closes, then exits with
the command's status. Nothing is ever written to the terminal's input: the
command never sees end-of-file or a stray control character on stdin, and
its output is always drained, so it can never block on a full terminal.
(script(1) with stdin at end-of-file left a Bochs blocked in a terminal
write in a long lane; see Documentation/testing.rst.)
"""
import os
import pty
import sys


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    pidfile, outfile, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    with open(pidfile, "w") as f:
        f.write(f"{pid}\n")
    with open(outfile, "ab", buffering=0) as out:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                break
            if not data:
                break
            out.write(data)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
