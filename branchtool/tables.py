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
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from branchtool.errors import UserError
from branchtool.table_read import READABLE, Sheet, SheetChoice, read_sheet

__all__ = ["READABLE", "WRITABLE", "Column", "Sheet", "SheetChoice", "read_sheet",
           "write_sheet"]

WRITABLE = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12  # in characters, as Excel counts them
    text: bool = False  # keep as text (ID numbers, phone numbers)


def write_sheet(path: str | os.PathLike[str], columns: Sequence[Column],
                rows: Iterable[Sequence[object]], *, title: str = "") -> int:
    """Write ``rows`` under ``columns`` to .xlsx or .csv (by suffix), through a
    temporary file renamed into place. Returns the number of rows written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise UserError("table.unknown_export_type", name=path.name)
    if not path.parent.is_dir():
        raise UserError("table.unwritable", name=path.name)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        count = (_write_xlsx if suffix == ".xlsx" else _write_csv)(tmp, columns, rows, title)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise UserError("table.unwritable", name=path.name) from None
    return count


def _write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[object]],
               title: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else _text(v) for v in row])
            count += 1
    return count


def _text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_xlsx(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[object]],
                title: str) -> int:
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
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
            if column.text:
                cell.number_format = "@"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(path)
    return count
