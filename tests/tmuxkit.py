"""Drive a program in a real terminal: tmux on a private socket, keys sent as
a person types them (``send-keys``), the screen read back (``capture-pane``).

Every wait polls the captured text (or the terminal's cursor) until what is
expected shows, and fails with the last screen in the message; nothing waits
a fixed time instead. POSIX only (tmux). Used by tests/test_terminal.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_TIMEOUT = 30.0
POLL = 0.05
# No status line (the program gets every row), the pane stays after the
# program ends (its last screen can be read), no user configuration.
CONFIG = "set -g status off\nset -g remain-on-exit on\nset -sg escape-time 0\n"


def tmux_path() -> str | None:
    return shutil.which("tmux")


class Terminal:
    """One tmux server of its own (``tmux -L <unique>``) with one window of
    ``width`` x ``height`` running ``argv``; ``close`` kills the server."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: dict[str, str],
                 width: int = 80, height: int = 24, workdir: Path) -> None:
        tmux = tmux_path()
        if tmux is None:
            raise RuntimeError("tmux is not installed")
        self.tmux = tmux
        self.socket = f"bt-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        config = workdir / f"{self.socket}.conf"
        config.write_text(CONFIG, encoding="utf-8")
        # The exit status goes to a file: tmux may not know it when the program
        # closed the terminal before it ended.
        self.status_file = workdir / f"{self.socket}.status"
        program = ["env", *(f"{k}={v}" for k, v in env.items()), *argv]
        command = " ".join(_quote(a) for a in (
            "sh", "-c", f'"$@"; echo $? > {_quote(str(self.status_file))}', "sh", *program))
        self._run("-f", str(config), "new-session", "-d", "-s", "t", "-x", str(width),
                  "-y", str(height), "-c", str(cwd), command)
        self.socket_path = Path(self._run("display-message", "-p", "#{socket_path}").strip())
        self.last = ""
        self.trail: list[str] = []  # what was typed, with the cursor then

    # -- tmux ------------------------------------------------------------------------------
    def _run(self, *args: str) -> str:
        done = subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=15, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:2])} failed: {done.stderr.strip()}")
        return done.stdout

    def close(self) -> None:
        """Kill the server (and the program), and remove its socket."""
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=15, check=False)
        self.socket_path.unlink(missing_ok=True)

    # -- typing ----------------------------------------------------------------------------
    def type(self, text: str) -> None:
        """Type ``text`` literally (CJK included)."""
        self.trail.append(f"type {text!r} (cursor {self.cursor()})")
        self._run("send-keys", "-t", "t", "-l", text)

    def press(self, *keys: str) -> None:
        """Press named keys, one at a time: ``Enter``, ``Tab``, ``Space``,
        ``C-o``, ``C-NPage`` (Ctrl+PageDown), ``End``…"""
        for key in keys:
            self.trail.append(f"press {key} (cursor {self.cursor()})")
            self._run("send-keys", "-t", "t", key)

    # -- reading -----------------------------------------------------------------------------
    def screen(self) -> str:
        self.last = self._run("capture-pane", "-p", "-t", "t")
        return self.last

    def cursor(self) -> tuple[int, int]:
        x, y = self._run("display-message", "-p", "-t", "t",
                         "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def exit_status(self) -> int | None:
        """The program's exit status once it has ended, else None."""
        try:
            text = self.status_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def _failure(self, what: str) -> str:
        trail = "\n".join(self.trail[-12:])
        return f"{what}; the last keys:\n{trail}\nthe terminal showed:\n{self.last}"

    def wait_until(self, ready: Callable[[str], bool], what: str,
                   timeout: float = DEFAULT_TIMEOUT) -> str:
        """Poll the screen until ``ready(screen)``; the screen it accepted."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if ready(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(self._failure(
                    f"timed out after {timeout:.0f} s waiting for {what}"))
            time.sleep(POLL)

    def wait_for(self, *needles: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until every one of ``needles`` is on the screen."""
        return self.wait_until(lambda s: all(n in _flat(s) for n in needles),
                               " and ".join(repr(n) for n in needles), timeout)

    def wait_for_pattern(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> re.Match[str]:
        regex = re.compile(pattern)
        text = self.wait_until(lambda s: regex.search(s) is not None, f"/{pattern}/", timeout)
        match = regex.search(text)
        assert match is not None
        return match

    def wait_cursor_moved(self, before: tuple[int, int],
                          timeout: float = DEFAULT_TIMEOUT) -> tuple[int, int]:
        """Wait until the terminal's cursor (which the app puts in the
        focused input) has left the row of ``before``: the focus has moved on."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.cursor()
            if now[1] != before[1]:
                return now
            if time.monotonic() > deadline:
                self.screen()
                raise AssertionError(self._failure(
                    f"timed out after {timeout:.0f} s waiting for the focus to leave row "
                    f"{before[1]}"))
            time.sleep(POLL)

    def wait_cursor_on(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the cursor is on the row that shows ``text``: the input
        there has the focus (the app puts the terminal's cursor in it)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = [i for i, line in enumerate(self.screen().splitlines()) if text in line]
            if rows and self.cursor()[1] in rows:
                return
            if time.monotonic() > deadline:
                raise AssertionError(self._failure(
                    f"timed out after {timeout:.0f} s waiting for the focus on the row of "
                    f"{text!r}; the cursor is at {self.cursor()}"))
            time.sleep(POLL)

    def press_until_cursor_on(self, text: str, key: str,
                              timeout: float = DEFAULT_TIMEOUT) -> None:
        """Press ``key`` (one that is harmless to repeat, such as End) until
        the cursor is on the row that shows ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            self.press(key)
            pause = time.monotonic() + 0.5
            while time.monotonic() < pause:
                rows = [i for i, line in enumerate(self.screen().splitlines()) if text in line]
                if rows and self.cursor()[1] in rows:
                    return
                time.sleep(POLL)
            if time.monotonic() > deadline:
                raise AssertionError(self._failure(
                    f"timed out after {timeout:.0f} s pressing {key} for the focus on the "
                    f"row of {text!r}; the cursor is at {self.cursor()}"))

    def wait_exit(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while True:
            status = self.exit_status()
            if status is not None:
                return status
            if time.monotonic() > deadline:
                self.screen()
                raise AssertionError(self._failure(
                    f"the program did not end within {timeout:.0f} s"))
            time.sleep(POLL)


def _flat(screen: str) -> str:
    """The screen with each line's trailing blanks gone, so that a needle
    may not span lines by accident but a caller can still look for text."""
    return "\n".join(line.rstrip() for line in screen.splitlines())


def _quote(arg: str) -> str:
    if re.fullmatch(r"[\w@%+=:,./-]+", arg, flags=re.ASCII):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"
