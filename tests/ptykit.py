"""Drive a program that reads a passphrase from its terminal (as ``age`` does)."""

from __future__ import annotations

import os
import pty
import select
import time


def run_in_pty(argv: list[str], answers: list[str], timeout: float = 30.0) -> tuple[int, bytes]:
    """Run ``argv`` with a pseudo-terminal as its controlling terminal, typing
    each of ``answers`` (plus Enter) when the program next prompts. Returns the
    exit status and everything it printed to the terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break  # the child closed the terminal
                if not chunk:
                    break
                output += chunk
                if pending and chunk.rstrip().endswith(b":"):
                    os.write(fd, pending.pop(0).encode() + b"\r")
            else:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return os.waitstatus_to_exitcode(status), output
        else:
            os.kill(pid, 9)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output
