"""The college summary as a workbook: a sheet per topic, each with its title
and the day above the table, a header row that stays in view, the filter on
it, a row per branch, the college's totals at the foot, counts stored as
numbers and rates as percentages, and columns wide enough for the names.
Every cell goes through ``branchtool.cells``: a branch's or a person's name
is never a formula."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from branchtool.cells import safe_value, text_cell
from branchtool.office.summary import COUNT, RATE, Summary, Table

TITLE_ROW, DATE_ROW, HEADER_ROW = 1, 2, 4
MAX_WIDTH = 60  # characters of a column, in Excel's units (a CJK character is two)


def width(text: str) -> int:
    """Excel's units for ``text``: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_name(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def _write(sheet: Any, table: Table, summary: Summary) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    text_cell(sheet.cell(TITLE_ROW, 1),
              f"{summary.title} — {table.title}").font = Font(bold=True, size=14)
    text_cell(sheet.cell(DATE_ROW, 1), summary.date_line)
    thin = Side(style="thin", color="999999")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for n, column in enumerate(table.columns, start=1):
        cell = text_cell(sheet.cell(HEADER_ROW, n), column.header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=thin)
    first = HEADER_ROW + 1
    for r, row in enumerate(table.rows, start=first):
        for n, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            cell = safe_value(sheet.cell(r, n), value)
            if column.kind == RATE:
                cell.number_format = "0.0%"
            elif column.kind == COUNT:
                cell.number_format = "0"
    last = first + len(table.rows) - 1
    if table.totals:
        total_row = last + 1
        for n, (value, column) in enumerate(zip(table.totals, table.columns, strict=True),
                                            start=1):
            cell = safe_value(sheet.cell(total_row, n), value)
            cell.font = bold
            cell.border = Border(top=thin)
            if column.kind == RATE:
                cell.number_format = "0.0%"
    if table.note:
        text_cell(sheet.cell(last + 3, 1), table.note)
    columns = len(table.columns)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(columns)}{max(last, HEADER_ROW)}"
    sheet.freeze_panes = f"A{first}"
    for n, column in enumerate(table.columns, start=1):
        texts = [column.header] + [_text(row[n - 1], column.kind) for row in table.rows]
        if table.totals:
            texts.append(_text(table.totals[n - 1], column.kind))
        wide = max(width(t) for t in texts) + 2  # and the filter's arrow
        sheet.column_dimensions[get_column_letter(n)].width = min(MAX_WIDTH, max(6, wide))


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == RATE:
        return f"{value * 100:.1f}%"
    return str(value)


def xlsx_bytes(summary: Summary) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in summary.tables:
        _write(book.create_sheet(sheet_name(table.title)), table, summary)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
