"""Spreadsheets in and out.

Reading (every format people have: .xlsx, .xlsm, .xlsb, .xls, .ods, and
CSV/TSV text in the usual encodings) lives in ``table_read``; ``read_sheet``
and ``Sheet`` are re-exported here for the importers. Writing is .xlsx
(openpyxl) and .csv: CSVs are written as UTF-8 with a BOM so that Excel opens
them correctly. openpyxl is imported only here, and only when a workbook is
written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from branchtool.cells import csv_field, text_cell
from branchtool.errors import UserError
from branchtool.table_read import READABLE, Sheet, SheetChoice, read_sheet

__all__ = ["READABLE", "WRITABLE", "Column", "Sheet", "SheetChoice", "read_sheet",
           "write_sheet"]

WRITABLE = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12  # in characters, as Excel counts them


def write_sheet(path: str | os.PathLike[str], columns: Sequence[Column],
                rows: Iterable[Sequence[object]], *, title: str = "") -> int:
    """Write ``rows`` under ``columns`` to .xlsx or .csv (by suffix), through a
    random-named temporary file renamed into place (``storage.fsio``: never
    through a link a stick holds). Every cell is text and none is a formula
    (``branchtool.cells``). Returns the number of rows written."""
    from storage.fsio import DEFAULT_IO

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise UserError("table.unknown_export_type", name=path.name)
    if not path.parent.is_dir():
        raise UserError("table.unwritable", name=path.name)
    render = _xlsx_bytes if suffix == ".xlsx" else _csv_bytes
    data, count = render(columns, rows, title)
    try:
        DEFAULT_IO.write_atomic(path, data)
    except OSError:
        raise UserError("table.unwritable", name=path.name) from None
    return count


def _csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[object]],
               title: str) -> tuple[bytes, int]:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([csv_field(c.header) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_field(_text(v)) for v in row])
        count += 1
    return out.getvalue().encode("utf-8-sig"), count


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_bytes(columns: Sequence[Column], rows: Iterable[Sequence[object]],
                title: str) -> tuple[bytes, int]:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title or "Sheet1")
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = text_cell(openpyxl.cell.WriteOnlyCell(sheet), column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for _column, value in zip(columns, row, strict=True):
            cell = text_cell(openpyxl.cell.WriteOnlyCell(sheet), _text(value))
            cell.number_format = "@"  # text: Excel keeps ID and phone numbers whole
            cells.append(cell)
        sheet.append(cells)
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
