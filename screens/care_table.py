"""The record table with one more state per row: ``overdue`` rows (a visit or
a task past its date) are drawn in the error colour, so they stand out in any
theme without a column of their own."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.strip import Strip

from screens.record_table import RecordTable


class FlaggedTable(RecordTable):
    DEFAULT_CSS = """
    FlaggedTable > .record-table--overdue {
        color: $text-error;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *RecordTable.COMPONENT_CLASSES, "record-table--overdue"}

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y - 1
        if y == 0 or index == self.cursor or not 0 <= index < len(self.rows):
            return strip
        if not getattr(self.rows[index], "overdue", False):
            return strip
        style = self.get_component_rich_style("record-table--overdue", partial=True)
        return Strip(Segment.apply_style(list(strip), post_style=style), strip.cell_length)
