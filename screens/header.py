"""The header line: the program (the branch's workbench or the office's),
whose it is, and today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from branchtool import i18n
from screens.cell_fit import cut


def weekday(day: dt.date) -> str:
    return i18n.t(f"app.weekday.{day.isoweekday()}")


class BranchHeader(Widget):
    DEFAULT_CSS = """
    BranchHeader {
        dock: top;
        height: 1;
        background: $primary;
        color: $text;
    }
    """

    def __init__(self, branch: str, today: Callable[[], dt.date],
                 title: str | None = None) -> None:
        """``title``: the program's name on this screen (the branch's
        workbench by default; the office's own for the office)."""
        super().__init__(id="header")
        self.branch = branch
        self.today = today
        self.title = title

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh)  # the date turns at midnight

    def render(self) -> Text:
        day = self.today()
        left = f" {self.title or i18n.t('app.title')} · {self.branch}"
        right = f"{i18n.format_date(day)} {weekday(day)} "
        # the date stays whole; a name too long for the rest ends in "…"
        room = self.size.width - cell_len(right) - 1
        if cell_len(left) > room:
            left = cut(left, room)
        gap = max(1, self.size.width - cell_len(left) - cell_len(right))
        return Text(left + " " * gap + right, style="bold", no_wrap=True, overflow="ellipsis")
