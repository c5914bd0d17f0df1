"""A small temperature chart: one column (two cells) per day, bars in
eighths over four rows of one degree each (35.5–39.5 °C), a fever in the
error colour, a day without a temperature as a dot on the bottom row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.text import Text

from branchtool import i18n
from branchtool.records.health_fields import tenths

BARS = " ▁▂▃▄▅▆▇█"
ROWS = 4
LOW = 355  # tenths of a degree at the bottom of the chart
ROW_TENTHS = 10
LABEL = 6  # cells of the scale on the left


def _tenths(temperature: str) -> int | None:
    try:
        return tenths(temperature)
    except (ArithmeticError, ValueError):
        return None


def _height(temperature: str) -> int:
    """The bar's height in eighths of a row (at least one for any reading)."""
    value = _tenths(temperature)
    if value is None:
        return 0
    eighths = round((value - LOW) * 8 / ROW_TENTHS)
    return max(1, min(ROWS * 8, eighths))


def chart(temperatures: Sequence[str], fever_tenths: int, end: dt.date) -> Text:
    """The chart of ``temperatures`` (oldest first, "" for none) ending with ``end``."""
    heights = [_height(t) if t else 0 for t in temperatures]
    out = Text(no_wrap=True, overflow="crop")
    for row in range(ROWS - 1, -1, -1):
        top = (LOW + (row + 1) * ROW_TENTHS) / 10
        out.append(f"{top:4.1f} ┤", style="dim")
        for temp, height in zip(temperatures, heights, strict=True):
            fill = max(0, min(8, height - row * 8))
            if not temp:
                cell = "·" if row == 0 else " "
                out.append(cell.ljust(2), style="dim")
                continue
            fever = (_tenths(temp) or 0) >= fever_tenths
            out.append(BARS[fill] * 2 if fill else "  ",
                       style="bold red" if fever else "green")
        out.append("\n")
    start = end - dt.timedelta(days=len(temperatures) - 1)
    first, last = f"{start:%m-%d}", f"{end:%m-%d}"
    width = len(temperatures) * 2
    out.append(" " * LABEL + first + " " * max(1, width - len(first) - len(last)) + last,
               style="dim")
    out.append("\n")
    out.append(i18n.t("person_page.chart.legend", fever=f"{fever_tenths / 10:.1f}"),
               style="dim")
    return out
