#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run Bochs (or any command) on a fresh pseudo-terminal, draining its output.

usage: tests/rig/ptyrun.py PIDFILE OUTFILE COMMAND [ARG...]

Bochs's term display needs a terminal. This gives the command one (it is the
session leader of a new pty), writes its pid to PIDFILE, copies everything it
prints to OUTFILE until the pty closes, and exits with its status.

Bochs's term display does not draw on that terminal: it opens a pty of its
own and says 'Bochs connected to screen "/dev/pts/N"'. Nobody reads that
pty's other side, so once a few kilobytes of screen updates pile up, Bochs
blocks for good in a write (found in the long debug lanes: the guest froze
with Bochs asleep in n_tty_write, curs_set() from text_update()). This
script opens the screen pty as soon as Bochs names it and discards what is
drawn there.
"""
import os
import pty
import re
import select
import sys

SCREEN = re.compile(rb'connected to screen "(/dev/pts/[0-9]+)"')


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
    screen = None
    seen = b""
    with open(outfile, "ab", buffering=0) as out:
        while True:
            fds = [master] + ([screen] if screen is not None else [])
            ready, _, _ = select.select(fds, [], [])
            if screen is not None and screen in ready:
                try:
                    if not os.read(screen, 65536):
                        raise OSError
                except OSError:
                    os.close(screen)
                    screen = None
            if master not in ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                break
            if not data:
                break
            out.write(data)
            if screen is None and seen is not None:
                seen = (seen + data)[-512:]
                m = SCREEN.search(seen)
                if m:
                    screen = os.open(m.group(1), os.O_RDONLY | os.O_NOCTTY)
                    seen = None
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
