"""Reading a table from whatever spreadsheet file a secretary has.

Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read by calamine
(python-calamine), after ``table_scan`` has said what the file really is and
that its sheets are of a sane size. Text tables (.csv, .tsv, .txt — or a
survey tool's ".xls" that is really text) are UTF-8 with or without a BOM,
UTF-16 with or without a BOM, or GB 18030 (GBK's superset, what Chinese Excel
writes), delimited by commas, tabs or semicolons.

Cells come as the file holds them: text, numbers (an ID number the office
suite turned into a number stays a float, so the importer can say its last
digits are lost), dates and date-times where the cell is formatted as one,
serial numbers where it is not. Title rows above the header, empty rows and
trailing empty columns are left out; hidden rows are read, and said so.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchtool import i18n, table_scan
from branchtool.errors import UserError
from branchtool.table_scan import MAX_CELLS, MAX_FILE_BYTES, TEXT, Workbook

HEADER_SCAN_ROWS = 10
READABLE = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".tsv", ".txt")
NOTED_ROWS = 10  # hidden rows named one by one in a note


@dataclass
class Sheet:
    """A table read from a file: its header row and data rows, each data row
    with its row number as the spreadsheet program shows it (1-based).

    ``name`` is the file's name; ``sheet`` the worksheet read (empty for a
    text file) out of ``sheets``; ``hidden_rows`` the data rows the workbook
    hides (they are read like any other); ``notes`` what the reader wants the
    user to know, as catalog keys and their parameters."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def note_texts(self) -> list[str]:
        """The notes in the current language."""
        return [i18n.t(key, **params) for key, params in self.notes]


class SheetChoice(UserError):
    """Several sheets of the workbook could be the table: the caller asks
    which (the app), or the user names one (``--sheet``)."""

    def __init__(self, name: str, sheets: list[str]) -> None:
        super().__init__("table.which_sheet", name=name,
                         sheets=i18n.t("list.separator").join(sheets))
        self.sheets = sheets


HeaderMatch = Callable[[str], "str | None"]


def read_sheet(path: str | os.PathLike[str], match_header: HeaderMatch | None = None, *,
               sheet: str | None = None) -> Sheet:
    """The table in ``path``. The header row is the one among the first rows
    where ``match_header`` recognises the most columns (rosters often start
    with a title row); without it, the first non-empty row. In a workbook,
    ``sheet`` names the worksheet; without it, the one whose header
    ``match_header`` recognises best — and if several could be it,
    ``SheetChoice`` is raised."""
    path = Path(path)
    name = path.name
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    kind = table_scan.identify(data, name, suffix)
    if kind == TEXT:
        notes: list[tuple[str, dict[str, Any]]] = []
        if suffix not in (".csv", ".tsv", ".txt", ""):
            notes.append(("table.note.text_file", {"name": name}))
        return _table(name, _text_rows(data, name), match_header, notes=notes)
    return _read_workbook(kind, data, name, match_header, sheet)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError("table.too_large", name=path.name, mb=MAX_FILE_BYTES >> 20)
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise UserError("table.unreadable", name=path.name) from None


# -- text -----------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """Text in the encodings Excel, WPS and survey tools write."""
    if data.startswith(b"\xef\xbb\xbf\xff\xfe") or data.startswith(b"\xef\xbb\xbf\xfe\xff"):
        data = data[3:]  # a UTF-8 BOM written before UTF-16 text
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # odd length, lone surrogates
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf16 = table_scan.utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    return data.decode("gb18030", errors="replace")


def _delimiter(text: str) -> str:
    """The delimiter used most in the first lines (a title line has none)."""
    lines = text[:65536].splitlines()[:20]
    return max(",\t;", key=lambda d: sum(line.count(d) for line in lines))


def _text_rows(data: bytes, name: str) -> list[list[object]]:
    text = decode(data)
    rows: list[list[object]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            cells += len(row)
            if cells > MAX_CELLS:
                raise UserError("table.too_many_cells", name=name, sheet=name,
                                rows=len(rows), columns=len(row), limit=MAX_CELLS)
            rows.append(list(row))
    except csv.Error:  # a cell over the csv module's limit (128 KiB)
        raise UserError("table.bad_csv", name=name) from None
    return rows


# -- workbooks --------------------------------------------------------------------------------
_DAMAGED = {"xlsx": "table.bad_xlsx", "xlsb": "table.bad_xlsx", "ods": "table.bad_ods",
            "xls": "table.bad_xls"}


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _panics_unprinted() -> Iterator[None]:
    """Rust prints a panic's message and backtrace on file descriptor 2
    before Python sees the exception: over the app's screen, in words a
    hostile file may shape. While calamine reads, descriptor 2 goes nowhere
    (one reader at a time; descriptor 2 comes back whatever happens)."""
    with _STDERR_LOCK:
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 (a GUI launcher): nothing to guard
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _calamine_failed(exc: BaseException, kind: str, name: str) -> UserError:
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        raise exc
    import python_calamine

    if isinstance(exc, python_calamine.PasswordError):
        return UserError("table.is_encrypted", name=name)
    if isinstance(exc, MemoryError):
        return UserError("table.too_many_cells", name=name, sheet="", rows="?", columns="?",
                         limit=MAX_CELLS)
    return UserError(_DAMAGED[kind], name=name)


def _read_workbook(kind: str, data: bytes, name: str, match_header: HeaderMatch | None,
                   wanted: str | None) -> Sheet:
    import python_calamine

    book = Workbook(kind, data, name)
    book.check_all()
    with _panics_unprinted():
        # calamine is not written for hostile files: whatever it raises while
        # reading one (a Rust panic included, a BaseException), the file is damaged.
        try:
            calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except BaseException as exc:
            raise _calamine_failed(exc, kind, name) from None
        try:
            meta = calamine.sheets_metadata
            names = [m.name for m in meta]
            visible = [m.name for m in meta if m.visible == python_calamine.SheetVisibleEnum.Visible
                       and m.typ == python_calamine.SheetTypeEnum.WorkSheet] or names

            def load(sheet: str) -> list[list[object]]:
                scan = book.scan(sheet)
                if scan.cells == 0 and kind != "xls":
                    return []
                try:
                    return calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                except BaseException as exc:
                    raise _calamine_failed(exc, kind, name) from None

            if wanted is not None:
                chosen = _named_sheet(wanted, names, name)
                rows = load(chosen)
            else:
                chosen, rows = _choose_sheet(visible, load, match_header, name)
        finally:
            try:
                calamine.close()
            except BaseException:
                pass
    notes: list[tuple[str, dict[str, Any]]] = []
    if len(visible) > 1 or chosen not in visible:
        notes.append(("table.note.sheet", {"sheet": chosen, "count": len(names)}))
    result = _table(name, rows, match_header, hidden=book.scan(chosen).hidden, notes=notes)
    result.sheet, result.sheets = chosen, visible
    return result


def _named_sheet(wanted: str, names: list[str], name: str) -> str:
    if wanted in names:
        return wanted
    folded = {n.strip().casefold(): n for n in names}
    found = folded.get(wanted.strip().casefold())
    if found is None:
        raise UserError("table.no_such_sheet", name=name, sheet=wanted,
                        sheets=i18n.t("list.separator").join(names))
    return found


def _choose_sheet(visible: list[str], load: Callable[[str], list[list[object]]],
                  match_header: HeaderMatch | None, name: str
                  ) -> tuple[str, list[list[object]]]:
    """The one sheet that holds the table, or ``SheetChoice``."""
    if len(visible) == 1:
        return visible[0], load(visible[0])
    loaded: list[tuple[str, list[list[object]], int]] = []
    for sheet in visible:
        rows = load(sheet)
        if any(not _blank(c) for row in rows for c in row):
            loaded.append((sheet, rows, _best_score(rows, match_header)))
    if not loaded:
        return visible[0], []
    best = max(score for _, _, score in loaded)
    strong = [sheet for sheet, _, score in loaded if score >= max(2, (best + 1) // 2)]
    if len(strong) > 1:
        raise SheetChoice(name, strong)
    return next((sheet, rows) for sheet, rows, score in loaded if score == best)


def _best_score(rows: list[list[object]], match_header: HeaderMatch | None) -> int:
    if match_header is None:
        return 0
    numbered = [row for row in rows if not all(_blank(c) for c in row)][:HEADER_SCAN_ROWS]
    return max((_score(row, match_header) for row in numbered), default=0)


def _score(row: list[object], match_header: HeaderMatch) -> int:
    return sum(1 for c in row if isinstance(c, str) and c.strip() and match_header(c))


# -- the table ------------------------------------------------------------------------------
def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(name: str, raw: list[list[object]], match_header: HeaderMatch | None, *,
           hidden: set[int] | frozenset[int] = frozenset(),
           notes: list[tuple[str, dict[str, Any]]]) -> Sheet:
    numbered = [(i + 1, row) for i, row in enumerate(raw) if not all(_blank(c) for c in row)]
    if not numbered:
        raise UserError("table.empty", name=name)
    header_at = 0
    if match_header is not None:
        scores = [_score(row, match_header) for _, row in numbered[:HEADER_SCAN_ROWS]]
        if max(scores) > 0:
            header_at = scores.index(max(scores))
    width = max(max((i + 1 for i, c in enumerate(row) if not _blank(c)), default=0)
                for _, row in numbered[header_at:])
    header_row = numbered[header_at][1][:width]
    headers = ["" if _blank(c) else str(c).strip() for c in header_row]
    headers += [""] * (width - len(headers))
    rows = [(n, [None if _blank(c) else c for c in row[:width]] + [None] * (width - len(row)))
            for n, row in numbered[header_at + 1:]]
    hidden_rows = sorted(n for n, _ in rows if n - 1 in hidden)
    if hidden_rows:
        shown = i18n.t("list.separator").join(str(n) for n in hidden_rows[:NOTED_ROWS])
        notes.append(("table.note.hidden_rows", {"rows": shown, "count": len(hidden_rows)}))
    return Sheet(name, headers, rows, hidden_rows=hidden_rows, notes=notes)
