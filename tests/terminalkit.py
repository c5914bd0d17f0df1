"""A small terminal for UI tests: it receives what the app would write to a
real terminal (each screen update's escape sequences, which a headless app
computes and throws away) and keeps the cells, two-cell characters as a
terminal keeps them: writing over either half of one blanks the other half.

``watch(app)`` starts recording; ``terminal.lines()`` is the screen read
back, as ``tmux capture-pane`` would show it.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len

_ESCAPE = re.compile(r"\x1b\[(?P<params>[0-9;?]*)(?P<final>[A-Za-z])|\x1b[=>]|\x1b\][^\x07]*\x07")
_WIDE = ""  # the second cell of a two-cell character


class Terminal:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[" "] * width for _ in range(height)]
        self.x = self.y = 0

    def _blank(self, y: int, x: int) -> None:
        """Clear cell (x, y) and the other half of a two-cell character there."""
        row = self.cells[y]
        if row[x] == _WIDE and x > 0:
            row[x - 1] = " "
        elif x + 1 < self.width and row[x + 1] == _WIDE:
            row[x + 1] = " "
        row[x] = " "

    def _put(self, char: str) -> None:
        width = cell_len(char)
        if width == 0 or self.y >= self.height:
            return
        if self.x + width > self.width:
            self.x = self.width  # past the edge: a real terminal wraps; the app never asks it to
            return
        for x in range(self.x, self.x + width):
            self._blank(self.y, x)
        self.cells[self.y][self.x] = char
        if width == 2:
            self.cells[self.y][self.x + 1] = _WIDE
        self.x += width

    def feed(self, data: str) -> None:
        position = 0
        for match in _ESCAPE.finditer(data):
            self._text(data[position:match.start()])
            position = match.end()
            if match.group("final") == "H" and not match.group("params").startswith("?"):
                row, _, column = (match.group("params") or "1;1").partition(";")
                self.y, self.x = int(row or 1) - 1, int(column or 1) - 1
        self._text(data[position:])

    def _text(self, text: str) -> None:
        for char in text:
            if char == "\n":
                self.y += 1
            elif char == "\r":
                self.x = 0
            elif char >= " ":
                self._put(char)

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]


def watch(app: Any) -> Terminal:
    """Record every update the (headless, running) ``app`` draws from now on,
    starting with a full one, as the real terminal would receive them."""
    width, height = app.size
    terminal = Terminal(width, height)
    shown = app._display

    def display(screen: Any, renderable: Any) -> None:
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            terminal.feed(render(app.console))
        shown(screen, renderable)

    app._display = display
    app.screen._compositor._dirty_regions.clear()
    terminal.feed(app.screen._compositor.render_update(full=True).render_segments(app.console))
    return terminal


def screen_lines(app: Any) -> list[str]:
    """The whole screen as Textual composes it now (a full update)."""
    return ["".join(segment.text for segment in strip).rstrip()
            for strip in app.screen._compositor.render_strips()]


def cells(line: str, start: int, end: int) -> str:
    """The part of a screen line from cell ``start`` to cell ``end`` (a
    two-cell character counts two)."""
    out, x = [], 0
    for char in line:
        if start <= x < end:
            out.append(char)
        x += cell_len(char)
    return "".join(out)
