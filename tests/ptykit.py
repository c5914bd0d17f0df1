"""Drive a program that reads a passphrase from its terminal, as ``age`` does
(it reads /dev/tty, never stdin). POSIX only: ``pty`` is imported when a
program is run, so importing this module works on Windows too (the tests
that call it skip there, see ``POSIX_PTY``). Used by the interop tests and by
bench/formats.py."""

from __future__ import annotations

import os
import re
import select
import signal
import sys
import time

POSIX_PTY = sys.platform != "win32"
"""Whether ``run_in_pty`` can run here (for ``pytest.mark.skipif``)."""
NO_PTY_REASON = "drives a program through a pseudo-terminal (POSIX only)"

_PROMPT = re.compile(rb"passphrase[^\n]*:\s*$", re.IGNORECASE)


def run_in_pty(argv: list[str], answer: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """Run ``argv`` with a new pty as its controlling terminal, typing ``answer``
    and Enter at every passphrase prompt. Returns (exit code, terminal output);
    raises ``TimeoutError`` (after killing the program) when it hangs."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    output = b""
    pending = b""  # output since the last answer
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise TimeoutError(f"{argv[0]} timed out; terminal said: {output!r}")
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if not data:
                    break
                output += data
                pending += data
                if _PROMPT.search(pending):
                    os.write(fd, answer.encode() + b"\r")
                    pending = b""
            else:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return os.waitstatus_to_exitcode(status), output
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output
