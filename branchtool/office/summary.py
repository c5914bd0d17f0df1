"""The college summary: .xlsx (a sheet per topic, a row per branch) and the
college's daily report as .md or .docx. Counts only: no one's personal data."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.office.present import (
    DASH,
    arrival,
    count,
    key_status,
    missing,
    percent,
    period,
    rate_line,
    totals_lines,
    when,
)
from branchtool.office.status import BranchRow, Overview
from storage.fsio import DEFAULT_IO

if TYPE_CHECKING:
    from branchtool.office.service import OfficeService

KINDS = ("md", "docx", "xlsx")


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _h(key: str) -> str:
    return i18n.t(f"office.col.{key}")


def _health(row: BranchRow, key: str) -> int | None:
    return row.health.get(key) if row.health else None


def _coverage(row: BranchRow) -> str:
    if not row.health or not row.health.get("expected"):
        return DASH
    return percent(row.health.get("reported", 0) / row.health["expected"])


def tables(overview: Overview) -> list[Table]:
    rows = overview.rows
    return [
        Table(i18n.t("office.sheet.reporting"),
              [_h(k) for k in ("code", "name", "arrival", "sequence", "period", "created",
                               "missing", "key")],
              [[r.code, r.name, arrival(r), count(r.last_sequence), period(r),
                when(r.last_created), missing(r), key_status(r)] for r in rows]),
        Table(i18n.t("office.sheet.health"),
              [_h(k) for k in ("code", "name", "expected", "reported", "coverage", "fever",
                               "symptom", "risk")],
              [[r.code, r.name, *(count(_health(r, k)) for k in ("expected", "reported")),
                _coverage(r), *(count(_health(r, k)) for k in ("fever", "symptom", "risk"))]
               for r in rows]),
        Table(i18n.t("office.sheet.isolation"),
              [_h(k) for k in ("code", "name", "observation", "quarantine")],
              [[r.code, r.name, count(_health(r, "observation")),
                count(_health(r, "quarantine"))] for r in rows]),
        Table(i18n.t("office.sheet.work"),
              [_h(k) for k in ("code", "name", "alerts", "care", "overdue")],
              [[r.code, r.name, count(r.open_alerts), count(r.current.get("care_open")),
                count(r.current.get("tasks_overdue"))] for r in rows]),
        Table(i18n.t("office.sheet.notices"),
              [_h(k) for k in ("code", "name", "notices_expected", "notices_confirmed",
                               "coverage")],
              [[r.code, r.name, count(r.current.get("notices_expected")),
                count(r.current.get("notices_confirmed")),
                _notice_coverage(r)] for r in rows]),
        Table(i18n.t("office.sheet.changes"),
              [_h(k) for k in ("code", "name", "changes_last", "changes_total")],
              [[r.code, r.name, r.changes_last, r.changes_total] for r in rows]),
    ]


def _notice_coverage(row: BranchRow) -> str:
    expected = row.current.get("notices_expected")
    confirmed = row.current.get("notices_confirmed")
    if not expected or confirmed is None:
        return DASH
    return percent(confirmed / expected)


def _facts(overview: Overview) -> list[str]:
    t = overview.totals
    late = [r.code for r in overview.rows if r.reported and not r.on_time]
    absent = [r.code for r in overview.rows if not r.reported]
    lines = [i18n.t("office.summary.reporting", branches=t.branches, reported=t.reported,
                    on_time=t.on_time, zero=t.zero)]
    if absent:
        lines.append(i18n.t("office.summary.absent",
                            codes=i18n.t("office.list_separator").join(absent)))
    if late:
        lines.append(i18n.t("office.summary.late", deadline=overview.deadline,
                            codes=i18n.t("office.list_separator").join(late)))
    lines.extend(totals_lines(t))
    lines.extend(rate_line(r) for r in overview.rates)
    return lines


def _title(office_name: str, overview: Overview) -> tuple[str, str]:
    day = dt.date.fromisoformat(overview.date)
    return (i18n.t("office.summary.title", office=office_name),
            i18n.t("office.summary.date", date=i18n.format_date(day)))


def markdown(office_name: str, overview: Overview) -> str:
    title, date = _title(office_name, overview)
    out = [f"# {title}", "", date, "", f"## {i18n.t('office.summary.overview')}", ""]
    out.extend(f"- {line}" for line in _facts(overview))
    for table in tables(overview):
        out += ["", f"## {table.title}", "", "| " + " | ".join(table.headers) + " |",
                "|" + "---|" * len(table.headers)]
        out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def docx_bytes(office_name: str, overview: Overview) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    title, date = _title(office_name, overview)
    document = Document()
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dated = document.add_paragraph(date)
    dated.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(i18n.t("office.summary.overview"), level=1)
    for line in _facts(overview):
        document.add_paragraph(line, style="List Bullet")
    for table in tables(overview):
        document.add_heading(table.title, level=1)
        grid = document.add_table(rows=1, cols=len(table.headers))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
            cell.text = text
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _cell(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(overview: Overview) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from branchtool.cells import safe_value

    book = Workbook()
    book.remove(book.active)
    for table in tables(overview):
        sheet = book.create_sheet(_sheet_name(table.title))
        rows = [table.headers, *([_number(v) for v in row] for row in table.rows)]
        for number, row in enumerate(rows, start=1):  # a branch's name is never a formula
            for col, value in enumerate(row, start=1):
                safe_value(sheet.cell(row=number, column=col), value)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column, header in zip(sheet.columns, table.headers, strict=True):
            width = max([len(str(header))] + [len(str(c.value or "")) for c in column])
            sheet.column_dimensions[column[0].column_letter].width = min(40, width + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def export(office: OfficeService, path: Path, day: dt.date, kind: str | None) -> Path:
    kind = kind or path.suffix.lstrip(".").lower()
    if kind not in KINDS:
        raise UserError("office.summary.bad_format")
    overview = office.overview(day)
    if kind == "md":
        data = markdown(office.name, overview).encode("utf-8")
    elif kind == "docx":
        data = docx_bytes(office.name, overview)
    else:
        data = xlsx_bytes(overview)
    try:
        DEFAULT_IO.write_atomic(path, data)
    except OSError:
        raise UserError("office.summary.write_failed", path=str(path)) from None
    return path
