"""How the command line prints: tables sized by display width and progress
bars for long jobs, with rich.

Colour and bars only on a terminal, never when ``NO_COLOR`` is set (rich
reads it) or the output is a file or a pipe. A table written to a pipe has
no borders and no width limit, so a script reads one row per line; on a
terminal it fits the window, and a value cut short ends in ``…``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

WIDE = 100_000  # a pipe: no line is cut


def console(stream: object | None = None) -> Console:
    """A console on ``stream`` (stdout) as it is now: the CLI swaps in a
    guard that spells control characters out."""
    out = sys.stdout if stream is None else stream
    terminal = bool(getattr(out, "isatty", lambda: False)())
    return Console(file=out, force_terminal=terminal, width=None if terminal else WIDE,
                   highlight=False, markup=False, emoji=False, soft_wrap=False)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    out = console()
    terminal = out.is_terminal
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False,
                  pad_edge=False, header_style="bold" if terminal else "",
                  padding=(0, 2, 0, 0) if not terminal else (0, 1))
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*row)
    out.print(table)
