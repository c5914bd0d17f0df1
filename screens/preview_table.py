"""Report previews whose tables never split a name (#16).

Textual's Markdown table shrinks every column alike and folds a cell at any
character, so at 80 columns "姜家萱" became "姜家 / 萱", a date lost its 日
to the next line and "覆盖率" stood one character a line. Here a table is
laid out by display width (a Chinese character takes two cells): a cell is
cut into its short pieces — a name, a date, a number, a word between 、，；
— and each piece of up to ``WHOLE`` cells stays on one line; only longer
text (a notice's title, a note) and the column headings wrap, by the
Chinese line-breaking rules of ``screens.line_breaks``. Columns get their
full width when the table fits; otherwise each keeps at least its widest
piece and the rest of the width goes to the columns with long text. A table
whose pieces cannot stand side by side in the width is shown as one short
block per row instead ("1  姜梦" and then "困难类型：疾病  帮扶责任人：姜家萱 …"),
so nothing is ever cut.

``ReportMarkdown`` is Textual's Markdown with these tables: the reports
section's preview and the office's view of a branch's reports use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock, MarkdownParagraph, MarkdownTable

from branchtool import i18n
from screens.cell_fit import cut
from screens.line_breaks import wrap

WHOLE = 14  # a piece of at most this many cells (a name, a date) is never split
HEADING = 4  # a column heading may wrap down to this many cells
GAP = 2  # cells between two columns
INDENT = 4  # a row shown as a block: its fields indented this far
# A piece ends after a separator or space, or before an opening bracket.
_PIECE_END = re.compile(r"(?<=[、，；,; ])(?=[^、，；,; ])|(?=[（(〔【])")
_NUMBER = re.compile(r"^[-+]?[\d,.]+\s*(?:[%％]|元)?$|^[¥￥][\d,.]+$|^\d+/\d+$")


def pieces(text: str) -> list[str]:
    """``text`` cut where a line may begin in a table cell: after 、，；, a
    comma or a space, and before an opening bracket. Joined, they are ``text``."""
    return [piece for piece in _PIECE_END.split(text) if piece]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _whole(piece: str) -> bool:
    return cell_len(piece.rstrip()) <= WHOLE


def wrap_pieces(parts: Sequence[str], width: int) -> list[str]:
    """``parts`` run together in lines of at most ``width`` cells; a part of
    up to ``WHOLE`` cells is never split (it moves to the next line whole,
    or, when it is wider than the line, is cut with "…"); a longer one
    wraps by the Chinese line-breaking rules."""
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for part in parts:
        if cell_len((line + part).rstrip()) <= width:
            line += part
            continue
        if line.strip():
            lines.append(line.rstrip())
        part = part.lstrip()
        if cell_len(part.rstrip()) <= width:
            line = part
        elif _whole(part):
            lines.append(cut(part.rstrip(), width))
            line = ""
        else:
            wrapped = wrap(part, width)
            lines += [text.rstrip() for text in wrapped[:-1]]
            line = wrapped[-1]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def wrap_cell(text: str, width: int) -> list[str]:
    """A table cell's text in lines of at most ``width`` cells, no name split."""
    return wrap_pieces(pieces(_flat(text)), width)


def _least(header: str, column: Sequence[str], *, heading: int) -> int:
    """The narrowest a column can be: its widest piece, and its heading
    down to ``heading`` cells (a heading wraps)."""
    widths = [cell_len(p.rstrip()) for c in column for p in pieces(_flat(c)) if _whole(p)]
    # a heading's Latin words stay whole ("Missing", not "Missi / ng")
    words = [cell_len(w) for w in _flat(header).split() if cell_len(w) == len(w)]
    return max(min(cell_len(_flat(header)), heading), *words, *widths, 1)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]],
                  width: int) -> list[int] | None:
    """Each column's width in cells for a table ``width`` cells wide; None
    when its pieces cannot stand side by side in that width."""
    columns = [[row[i] if i < len(row) else "" for row in rows] for i in range(len(headers))]
    natural = [max(cell_len(_flat(c)) for c in [header, *column])
               for header, column in zip(headers, columns, strict=True)]
    room = width - GAP * (len(headers) - 1)
    if sum(natural) <= room:
        return natural
    for heading in (WHOLE, HEADING):  # headings whole if they can be
        least = [_least(header, column, heading=heading)
                 for header, column in zip(headers, columns, strict=True)]
        if sum(least) <= room:
            break
    else:
        return None
    spare = room - sum(least)
    wants = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(wants)
    widths = [m + spare * w // total for m, w in zip(least, wants, strict=True)]
    # what the integer division left over goes to the columns that want most
    order = sorted(range(len(widths)), reverse=True,
                   key=lambda i: wants[i] - (widths[i] - least[i]))
    for i in order[:room - sum(widths)]:
        widths[i] += 1
    return widths


def _numeric(column: Sequence[str]) -> bool:
    cells = [c.strip() for c in column if c.strip()]
    return bool(cells) and all(_NUMBER.match(c) for c in cells)


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: list[int],
          width: int) -> list[Text]:
    right = [_numeric([row[i] if i < len(row) else "" for row in rows])
             for i in range(len(headers))]
    out: list[Text] = []

    def add(cells: Sequence[str], style: str, split: bool) -> None:
        wrapped = [(wrap(_flat(cells[i]), w) if split else wrap_cell(cells[i], w))
                   if i < len(cells) else [""] for i, w in enumerate(widths)]
        for n in range(max(len(lines) for lines in wrapped)):
            line = Text(no_wrap=True, overflow="crop")
            for i, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
                text = lines[n].rstrip() if n < len(lines) else ""
                pad = " " * max(0, w - cell_len(text))
                if i:
                    line.append(" " * GAP)
                line.append(pad + text if right[i] else text + pad, style=style)
            line.rstrip()
            out.append(line)

    add(headers, "bold", split=True)
    out.append(Text("─" * min(width, sum(widths) + GAP * (len(widths) - 1)), style="dim"))
    for row in rows:
        add(row, "", split=False)
    return out


def _blocks(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[Text]:
    """One short block a row: its first two cells, then "heading：value"
    for the rest, each kept whole on a line of its own if need be."""
    out: list[Text] = []
    # the first cell (a number, a name, a day) and, unless it is a figure
    # that needs its heading, the second head each block
    lead = 2 if len(headers) > 1 and not _numeric([r[1] for r in rows if len(r) > 1]) else 1
    for row in rows:
        cells = [_flat(row[i]) if i < len(row) else "" for i in range(len(headers))]
        head = [piece for c in cells[:lead] if c for piece in pieces(c + "  ")]
        out += [Text(text, style="bold") for text in wrap_pieces(head, width)]
        fields = [piece for h, c in zip(headers[lead:], cells[lead:], strict=True) if c
                  for piece in pieces(i18n.t("export_ui.preview.field", label=_flat(h),
                                             value=c) + "  ")]
        for text in wrap_pieces(fields, width - INDENT):
            out.append(Text(" " * INDENT + text))
    return out


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[Text]:
    """The table as lines of at most ``width`` cells: the headings in bold,
    a rule, then each row, its cells wrapped side by side; or, when it
    cannot stand in the width, one block per row."""
    widths = column_widths(headers, rows, width)
    if widths is None:
        return _blocks(headers, rows, width)
    return _grid(headers, rows, widths, width)


class TableLines(Widget):
    """A table laid out afresh for the width it is given."""

    DEFAULT_CSS = """
    TableLines { width: 1fr; height: auto; }
    """

    def __init__(self, headers: list[str], rows: list[list[str]]) -> None:
        super().__init__()
        self.headers = headers
        self.rows = rows

    def lines(self, width: int) -> list[Text]:
        return table_lines(self.headers, self.rows, width)

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n", no_wrap=True, overflow="crop").join(self.lines(self.content_size.width))


class WholeNameTable(MarkdownTable):
    """A Markdown table shown by ``TableLines``."""

    def compose(self) -> ComposeResult:
        headers, rows = self._get_headers_and_rows()
        self._headers, self._rows = headers, rows
        yield TableLines([h.plain for h in headers], [[c.plain for c in row] for row in rows])

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        await MarkdownBlock._update_from_block(self, block)  # rebuilt whole


def list_lines(text: str, width: int) -> list[int] | None:
    """Where each line of a paragraph that lists things (“未报告8人：郝清涛、
    龙铭哲、……”) begins at ``width``, so that no item (a name) is split;
    None for other text (it wraps as any text does)."""
    if "、" not in text or width < 2:
        return None
    starts: list[int] = []
    cursor = 0
    for line in wrap_pieces(pieces(text), width):
        at = text.find(line, cursor)
        if at < 0:  # an item wider than the whole line was cut: wrap as usual
            return None
        starts.append(at)
        cursor = at + len(line)
    return starts[1:]


class WholeNameParagraph(MarkdownParagraph):
    """A paragraph whose list of names breaks between the names."""

    def _lines(self, width: int) -> list[Content] | None:
        content = self._content
        starts = list_lines(content.plain, width)
        if starts is None:
            return None
        return [part.rstrip() for part in content.divide(starts)]

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        lines = self._lines(width)
        if lines is None:
            return super().get_content_height(container, viewport, width)
        return len(lines)

    def render(self) -> RenderResult:
        lines = self._lines(self.content_size.width)
        return Content("\n").join(lines) if lines is not None else super().render()


class ReportMarkdown(Markdown):
    """Markdown whose tables and lists of names keep every name whole."""

    BLOCKS: ClassVar[dict[str, type[MarkdownBlock]]] = {
        **Markdown.BLOCKS, "table_open": WholeNameTable, "paragraph_open": WholeNameParagraph}
