"""A table of records that draws only the rows on screen (Textual's Line API).

Any number of rows costs the same to show: ``render_line`` formats the one
row it is asked for. Columns come from the record definition (``FieldDef``
width and priority); a narrow terminal drops the lowest-priority columns.
Cells are padded and cut by terminal cells (``rich.cells``), so Chinese text,
two cells wide per character, stays aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from branchtool import i18n
from branchtool.records.fields import FieldDef
from branchtool.records.views import Row
from screens.base import localize_bindings
from screens.cell_fit import fit_cell, holds_names


class RecordTable(ScrollView, can_focus=True):
    SORTABLE: ClassVar[bool] = False  # whether the rows are sorted by a column (▲/▼)
    DEFAULT_CSS = """
    RecordTable {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
    }
    RecordTable > .record-table--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    RecordTable > .record-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RecordTable:focus > .record-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    RecordTable > .record-table--muted {
        color: $text-muted;
    }
    RecordTable > .record-table--empty {
        color: $text-muted;
        text-style: italic;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--header", "record-table--cursor", "record-table--muted",
        "record-table--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "table.key.open"),
        # the cursor's keys (in F1, not in the footer): (key, action, label)
        *(Binding(key, action, label, show=False) for key, action, label in (
            ("up", "move(-1)", "table.key.up"), ("down", "move(1)", "table.key.down"),
            ("pageup", "page(-1)", "table.key.page_up"),
            ("pagedown", "page(1)", "table.key.page_down"),
            ("home", "edge(0)", "table.key.first"), ("end", "edge(1)", "table.key.last"))),
    ]

    class Opened(Message):
        """Enter or a double click on a row."""

        def __init__(self, table: RecordTable, row_id: str) -> None:
            super().__init__()
            self.table = table
            self.row_id = row_id

        @property
        def control(self) -> RecordTable:
            return self.table

    class SortClicked(Message):
        """A click on a column header."""

        def __init__(self, table: RecordTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(self, columns: Sequence[FieldDef], *, empty_text: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.rows: Sequence[Row] = ()
        self.cursor = 0
        self.sort_key = ""
        self.descending = False
        self.empty_text = empty_text
        self.painted = 0  # paints so far (for benchmarks and tests)
        self._widths: tuple[str, list[int]] = ("", [])
        self._layout: tuple[tuple[int, str], list[tuple[int, FieldDef, int]]] = ((0, ""), [])
        self._styles: tuple[Style, Style, Style] = (Style(), Style(), Style())
        localize_bindings(self)

    # -- data --------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row], *, keep: str | None = None) -> None:
        """Show ``rows``; the cursor stays on the row with id ``keep`` if present."""
        self.rows = rows
        self.cursor = 0
        if keep is not None:
            for i, row in enumerate(rows):
                if row.id == keep:
                    self.cursor = i
                    break
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._scroll_cursor_into_view()
        self.refresh()

    def set_columns(self, columns: Sequence[FieldDef]) -> None:
        """Other columns (or the same with other widths, fitted to the rows)."""
        self.columns = tuple(columns)
        self._widths = ("", [])
        self._layout = ((0, ""), [])
        self.refresh()

    def set_sort(self, key: str, descending: bool) -> None:
        if key != self.sort_key:
            self._layout = ((0, ""), [])  # the sort column is always shown
        self.sort_key, self.descending = key, descending
        self.refresh()

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def widths(self) -> list[int]:
        """Each column's width in cells, in the current language."""
        lang = i18n.language()
        if self._widths[0] != lang:
            # A table that sorts has room in every header for the ▲ or ▼.
            mark = 1 if self.SORTABLE else 0
            self._widths = (lang, [max(c.column_width(), cell_len(c.column_label) + mark)
                                   for c in self.columns])
        return self._widths[1]

    def visible_columns(self, width: int | None = None) -> list[tuple[int, FieldDef, int]]:
        """(index, column, cells) of the columns that fit ``width``: the
        highest priority first, shown in definition order."""
        width = self.row_width() if width is None else width
        key = (width, i18n.language())
        if self._layout[0] != key:
            self._layout = (key, self._fit(width))
        return self._layout[1]

    def _fit(self, width: int) -> list[tuple[int, FieldDef, int]]:
        room = width - 1
        widths = self.widths
        chosen: set[int] = set()
        # The column the rows are sorted by comes first: a list is never in
        # the order of a column that is not shown.
        for i in sorted(range(len(self.columns)),
                        key=lambda i: (self.columns[i].key != self.sort_key,
                                       -self.columns[i].priority)):
            if widths[i] + 1 <= room:
                chosen.add(i)
                room -= widths[i] + 1
        shown = [(i, c, widths[i]) for i, c in enumerate(self.columns) if i in chosen]
        # Room to spare goes first to a column of names (up to three times its
        # width: more of them whole), then to the last column.
        at = next((k for k, (_, c, _) in enumerate(shown) if holds_names(c)), None)
        if at is not None and room > 0:
            i, column, cells = shown[at]
            extra = min(room, cells * 2)
            shown[at] = (i, column, cells + extra)
            room -= extra
        if shown and room > 0:  # the last column gets the room that is left
            i, column, cells = shown[-1]
            shown[-1] = (i, column, cells + room)
        return shown

    # -- drawing -------------------------------------------------------------------
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def render_lines(self, crop):  # type: ignore[no-untyped-def]
        """One paint: the styles are looked up once for all its lines."""
        self.painted += 1
        self._styles = (self.rich_style,
                        self.get_component_rich_style("record-table--cursor"),
                        self.get_component_rich_style("record-table--muted"))
        return super().render_lines(crop)

    def row_width(self) -> int:
        """The cells a row is drawn in: not those under the scrollbar (a cell
        cut there, "…" and all, would be cut without a sign)."""
        return self.scrollable_size.width

    def render_line(self, y: int) -> Strip:
        width = self.row_width()
        base, cursor, muted = self._styles
        if y == 0:
            return self._line(self._header_text(), width,
                              self.get_component_rich_style("record-table--header"))
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 2:
                return self._line(" " + self.empty_text, width,
                                  self.get_component_rich_style("record-table--empty"))
            return Strip.blank(width, base)
        row = self.rows[index]
        text = self.row_text(row, width)
        if index == self.cursor:
            style = cursor
        elif getattr(row, "muted", False):
            style = muted
        else:
            style = base
        return self._line(text, width, style)

    def row_text(self, row: Row, width: int) -> str:
        """The row's cells under the columns that fit ``width``, each read by
        its column's key and fitted to the column."""
        return " " + " ".join(fit_cell(row.cell(c.key), w, names=holds_names(c))
                              for _, c, w in self.visible_columns(width))

    def _header_text(self) -> str:
        parts = []
        for _, column, width in self.visible_columns():
            label = column.column_label
            if column.key == self.sort_key:
                label += "▼" if self.descending else "▲"
            parts.append(set_cell_size(label, width))
        return " " + " ".join(parts)

    @staticmethod
    def _line(text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(set_cell_size(text, width), style)], width)

    # -- moving ------------------------------------------------------------------
    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        old, top = self.cursor, self.scroll_offset.y
        self.cursor = max(0, min(len(self.rows) - 1, index))
        if old != self.cursor:
            self._scroll_cursor_into_view()
            if self.scroll_offset.y == top:  # only the two rows changed
                self.refresh_line(old + 1)
                self.refresh_line(self.cursor + 1)
            else:
                self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.page:
            self.scroll_to(y=self.cursor - self.page + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self.page)

    def action_edge(self, end: int) -> None:
        self.move_to(len(self.rows) - 1 if end else 0)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(self, row.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 1
            for _, column, width in self.visible_columns():
                if x <= offset.x < x + width:
                    self.post_message(self.SortClicked(self, column.key))
                    return
                x += width + 1
            return
        self.move_to(self.scroll_offset.y + offset.y - 1)
        if event.chain >= 2:
            self.action_open()
