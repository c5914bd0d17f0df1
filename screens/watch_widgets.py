"""Small pieces the epidemic-watch screens share: sparklines, coverage bars,
lines of text cut to terminal cells, and a table whose rows carry a style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from screens.cell_fit import fit_cell
from screens.record_table import RecordTable

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int | None]) -> str:
    """One cell per value, scaled to the largest; a day without data is blank,
    zero is the lowest bar and anything above zero at least the second."""
    known = [v for v in values if v is not None]
    top = max(known, default=0)
    cells = []
    for value in values:
        if value is None:
            cells.append(" ")
        elif value <= 0 or top <= 0:
            cells.append(BARS[0])
        else:
            cells.append(BARS[max(1, min(7, round(value / top * 7)))])
    return "".join(cells)


def coverage_bar(done: int, total: int, width: int = 10) -> str:
    """``▇▇▇▇▇▇░░░░`` for done/total in ``width`` cells."""
    filled = width if total == 0 else round(done / total * width)
    return "█" * filled + "░" * (width - filled)


def fit(text: str, width: int) -> str:
    return fit_cell(text, width)


class StyledTable(RecordTable):
    """A record table whose rows may name a component class (``row.tone``:
    ``"alarm"``, ``"warn"``, ``"muted"``) that colours them."""

    DEFAULT_CSS = """
    StyledTable > .styled-table--alarm { color: $error; text-style: bold; }
    StyledTable > .styled-table--warn { color: $warning; }
    StyledTable > .styled-table--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *RecordTable.COMPONENT_CLASSES,
        "styled-table--alarm", "styled-table--warn", "styled-table--muted",
    }

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y - 1
        if y == 0 or index >= len(self.rows) or index == self.cursor:
            return super().render_line(y)
        tone = getattr(self.rows[index], "tone", "")
        if not tone:
            return super().render_line(y)
        width = self.row_width()
        text = self.row_text(self.rows[index], width)
        style: Style = self.rich_style + self.get_component_rich_style(f"styled-table--{tone}")
        return Strip([Segment(set_cell_size(text, width), style)], width)
