"""A document as .xlsx: the first sheet holds the heading and the text, then
one sheet per table, headed by the table's column names. Counts stay numbers,
amounts numbers in yuan, shares numbers shown as percentages, so the office
can add them up.

Text never becomes a formula (``branchtool.cells``): a report quotes names
and notes people typed. openpyxl is imported only here, and only when a
workbook is written.
"""

from __future__ import annotations

import io
import re
from typing import Any

from rich.cells import cell_len

from branchtool import i18n
from branchtool.cells import safe_value, text_cell
from branchtool.reports import text
from branchtool.reports.document import (
    Amount,
    BulletList,
    Cell,
    Document,
    Paragraph,
    Share,
    Subheading,
    Table,
)

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
MAX_TITLE = 31
MAX_WIDTH = 60


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = _BAD_TITLE.sub("", name).strip("'") or "Sheet"
    title, n = base[:MAX_TITLE], 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: MAX_TITLE - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _value(cell: Cell) -> tuple[Any, str | None]:
    if isinstance(cell, Amount):
        return float(cell.value), "#,##0.00"
    if isinstance(cell, Share):
        return cell.ratio, "0.0%"
    return cell, None


def _widths(sheet: Any, rows: list[list[str]]) -> None:
    from openpyxl.utils import get_column_letter

    for col in range(max((len(r) for r in rows), default=0)):
        width = max((cell_len(r[col]) for r in rows if col < len(r)), default=8)
        sheet.column_dimensions[get_column_letter(col + 1)].width = min(MAX_WIDTH, width + 2)


def _summary(book: Any, doc: Document, taken: set[str]) -> None:
    from openpyxl.styles import Font

    sheet = book.active
    sheet.title = sheet_title(i18n.t("report.xlsx.summary_sheet"), taken)
    lines: list[tuple[str, bool]] = [(doc.title, True)]
    lines += [(line, False) for line in (doc.number, doc.subtitle) if line]
    lines.append((f"{doc.issuer}　{text.day(doc.date)}", False))
    for section in doc.sections:
        lines.append((section.title, True))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append((block.text, False))
            elif isinstance(block, Subheading):
                lines.append((block.text, True))
            elif isinstance(block, BulletList):
                lines += [(i18n.t("report.bullet", item=item), False) for item in block.items]
            elif isinstance(block, Table):
                lines.append((i18n.t("report.xlsx.see_sheet", name=block.name), False))
    for row, (line, bold) in enumerate(lines, start=1):
        cell = text_cell(sheet.cell(row=row, column=1), line)
        if bold:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 100


def _table(book: Any, table: Table, taken: set[str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(sheet_title(table.name, taken))
    for col, header in enumerate(table.headers, start=1):
        cell = text_cell(sheet.cell(row=1, column=col), header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for number, row in enumerate(table.rows, start=2):
        for col, item in enumerate(row, start=1):
            value, number_format = _value(item)
            cell = safe_value(sheet.cell(row=number, column=col), value)
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    _widths(sheet, [table.headers, *[[text.cell(c) for c in r] for r in table.rows]])


def render(doc: Document) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    taken: set[str] = set()
    _summary(book, doc, taken)
    for table in doc.tables():
        _table(book, table, taken)
    book.properties.title = doc.title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
