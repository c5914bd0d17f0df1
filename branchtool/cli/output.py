"""How the command line prints: tables sized by display width and progress
bars for long jobs, with rich.

Colour and bars only on a terminal, never when ``NO_COLOR`` is set (rich
reads it) or the output is a file or a pipe. A table written to a pipe has
no borders and no width limit, so a script reads one row per line; on a
terminal it fits the window, and a value cut short ends in ``…``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.shown import spelled_for_output

if TYPE_CHECKING:
    from rich.console import Console

    from branchtool.records.fields import FieldDef

# rich is imported by the functions that draw: every command imports this
# module (the parser is built whole), and most print a line or two.

WIDE = 100_000  # a pipe: no line is cut


def console(stream: object | None = None) -> Console:
    """A console on ``stream`` (stdout). The CLI's guard spells control
    characters out of whatever is printed (``cli._Guarded``); rich writes its
    own (bold, the bar's redraws), so it gets the stream behind the guard and
    every text it is handed is spelled out first (``spelled_for_output``)."""
    from rich.console import Console

    out = sys.stdout if stream is None else stream
    raw = getattr(out, "unguarded", out)
    terminal = bool(getattr(raw, "isatty", lambda: False)())
    return Console(file=raw, force_terminal=terminal, width=None if terminal else WIDE,
                   highlight=False, markup=False, emoji=False, soft_wrap=False)


def fit(widths: Sequence[int], priorities: Sequence[int], room: int, gap: int) -> list[int]:
    """The indexes of the columns that fit ``room`` cells, the highest
    priority first, in their own order (as the app's tables choose)."""
    chosen: set[int] = set()
    for i in sorted(range(len(widths)), key=lambda i: -priorities[i]):
        if widths[i] + gap <= room:
            chosen.add(i)
            room -= widths[i] + gap
    return sorted(chosen) or [max(range(len(widths)), key=lambda i: priorities[i])]


def print_table(columns: Sequence[FieldDef], rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of stored values under the columns' headers, each value shown as
    its column shows it (``FieldDef.display``). On a terminal the columns that
    fit the window are drawn, the highest priority first (the name is never
    dropped), and a line on stderr says how many were left out."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    out = console()
    terminal = out.is_terminal
    headers = [spelled_for_output(c.column_label) for c in columns]
    cells = [[spelled_for_output(c.display(r.get(c.key, ""))) for c in columns] for r in rows]
    shown = list(range(len(columns)))
    if terminal and columns:
        natural = [max([cell_len(h)] + [cell_len(row[i]) for row in cells])
                   for i, h in enumerate(headers)]
        widths = [min(natural[i], max(c.column_width(), cell_len(headers[i])))
                  for i, c in enumerate(columns)]
        shown = fit(widths, [c.priority for c in columns], out.width + 1, gap=3)
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False,
                  pad_edge=False, header_style="bold" if terminal else "",
                  padding=(0, 1) if terminal else (0, 2, 0, 0))
    for i in shown:
        table.add_column(headers[i], no_wrap=True, overflow="ellipsis",
                         min_width=widths[i] if terminal else None)
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    out.print(table)
    if len(shown) < len(columns):
        print(i18n.t("cli.list.hidden_columns", n=len(columns) - len(shown)), file=sys.stderr)


Step = Callable[[int, int], None]  # (done, total)


@contextmanager
def progress(label: str, unit: str = "") -> Iterator[Step]:
    """A bar on stderr while a long job runs: ``label``, the bar, done/total
    (``unit`` after it), the time spent and the time left. The job calls the
    ``(done, total)`` function it is given. Nothing is drawn when stderr is
    not a terminal (a script, a log, a test): the job's result is all that is
    printed."""
    err = sys.stderr
    if not bool(getattr(err, "isatty", lambda: False)()):
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                   MofNCompleteColumn(), TextColumn(spelled_for_output(unit), markup=False),
                   TimeElapsedColumn(), TimeRemainingColumn(),
                   console=console(err), transient=True)
    with bar:
        task = bar.add_task(spelled_for_output(label), total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step
