"""Spreadsheets in and out: .xlsx (openpyxl) and .csv.

CSVs are read as UTF-8 (with or without Excel's BOM), UTF-16 with a BOM
(Excel's "Unicode text"), or GB 18030 (what Chinese Excel writes by default);
the delimiter is a comma, tab or semicolon. CSVs are written as UTF-8 with a
BOM so that Excel opens them correctly. openpyxl is imported only here, and
only when a workbook is read or written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from branchtool.cells import csv_field, text_cell
from branchtool.errors import UserError

HEADER_SCAN_ROWS = 10
READABLE = (".xlsx", ".xlsm", ".csv", ".txt")
WRITABLE = (".xlsx", ".csv")


@dataclass
class Sheet:
    """A table read from a file: its header row and data rows, each data row
    with its row number as the spreadsheet program shows it (1-based)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(path: Path) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UserError("table.old_xls", name=path.name)
    if suffix not in READABLE:
        raise UserError("table.unknown_type", name=path.name)
    try:
        data = path.read_bytes()
    except OSError:
        raise UserError("table.unreadable", name=path.name) from None
    if suffix in (".csv", ".txt"):
        return _csv_rows(data, path.name)
    return _xlsx_rows(data, path.name)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # odd length, lone surrogates
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _csv_rows(data: bytes, name: str) -> list[list[object]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""),
                                                delimiter=delimiter)]
    except csv.Error:  # a cell over the csv module's limit (128 KiB)
        raise UserError("table.bad_csv", name=name) from None


def _xlsx_rows(data: bytes, name: str) -> list[list[object]]:
    import openpyxl

    # openpyxl is not written for hostile files: whatever it raises while
    # reading one (zipfile, XML, TypeError from a stylesheet, ValueError from
    # a number such as "nan" in a cell), the workbook is not valid.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UserError("table.bad_xlsx", name=name) from None
    try:
        sheet = book.active or book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception:
        raise UserError("table.bad_xlsx", name=name) from None
    finally:
        book.close()


def read_sheet(path: str | os.PathLike[str],
               match_header: Callable[[str], str | None] | None = None) -> Sheet:
    """The table in ``path``. The header row is the one among the first rows
    where ``match_header`` recognises the most columns (rosters often start
    with a title row); without it, the first non-empty row."""
    path = Path(path)
    raw = _read_rows(path)
    numbered = [(i + 1, row) for i, row in enumerate(raw) if not all(_blank(c) for c in row)]
    if not numbered:
        raise UserError("table.empty", name=path.name)
    header_at = 0
    if match_header is not None:
        scores = [
            sum(1 for c in row if isinstance(c, str) and match_header(c))
            for _, row in numbered[:HEADER_SCAN_ROWS]
        ]
        if max(scores) > 0:
            header_at = scores.index(max(scores))
    width = max(len(row) for _, row in numbered)
    headers = ["" if _blank(c) else str(c).strip() for c in numbered[header_at][1]]
    headers += [""] * (width - len(headers))
    rows = [(n, row + [None] * (width - len(row))) for n, row in numbered[header_at + 1:]]
    return Sheet(path.name, headers, rows)


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
