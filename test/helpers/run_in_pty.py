"""Runs a command with stdout and stderr on a pseudo-terminal, as a person's terminal would, and
prints what it wrote; exits with the command's exit code. usage: run_in_pty.py CMD [ARGS...]"""

import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
