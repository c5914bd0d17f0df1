"""Reports generated from the data, never typed twice.

``build(session, kind, day)`` makes a ``Document`` (see ``document``):
- ``daily``: 疫情防控日报 of ``day`` (the zero report when nothing happened);
- ``weekly``: the summary of the seven days ending with ``day``;
- ``deeds``: 先进典型事迹材料 from the deeds marked for reporting, dated ``day``;
- ``care``: 帮扶工作情况 from ``start`` (default: the first of the month) to ``day``;
- ``records``: members' records summary over the same kind of period.

``render(doc, fmt)`` gives the bytes of a .md, .docx or .xlsx; ``write``
saves them atomically. python-docx and openpyxl are imported only by the
writer that needs them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from branchtool.errors import UserError
from branchtool.reports.base import DEFAULT_REDACTION, check_redaction
from branchtool.reports.document import Document

if TYPE_CHECKING:
    from branchtool.session import Session
    from storage.fsio import FileIO

KINDS = ("daily", "weekly", "deeds", "care", "records")
FORMATS = ("md", "docx", "xlsx")
PERIOD_KINDS = ("care", "records")  # the reports over a period given by --from
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def default_start(kind: str, day: dt.date) -> dt.date:
    """Where a report's period starts when not given: the day itself, the
    week ending with it, or the first of its month."""
    if kind == "weekly":
        return day - dt.timedelta(days=6)
    if kind in PERIOD_KINDS:
        return day.replace(day=1)
    return day


def build(session: Session, kind: str, day: dt.date, *, start: dt.date | None = None,
          redaction: str = DEFAULT_REDACTION) -> Document:
    check_redaction(redaction)
    if kind == "daily":
        from branchtool.reports import daily

        return daily.build(session, day, redaction)
    if kind == "weekly":
        from branchtool.reports import weekly

        return weekly.build(session, day, redaction)
    if kind == "deeds":
        from branchtool.reports import deeds

        return deeds.build(session, day, redaction)
    if kind not in PERIOD_KINDS:
        raise UserError("report.unknown_kind")
    first = start or default_start(kind, day)
    if first > day:
        raise UserError("export.bad_period")
    if kind == "care":
        from branchtool.reports import care

        return care.build(session, first, day, redaction)
    from branchtool.reports import member_records

    return member_records.build(session, first, day, redaction)


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "md":
        from branchtool.reports import markdown

        return markdown.render(doc).encode("utf-8")
    if fmt == "docx":
        from branchtool.reports import docx_writer

        return docx_writer.render(doc)
    if fmt == "xlsx":
        from branchtool.reports import xlsx_writer

        return xlsx_writer.render(doc)
    raise UserError("report.unknown_format")


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError("report.unknown_format")
    return fmt


def file_name(doc: Document, fmt: str) -> str:
    """A default file name: the title and the day (疫情防控日报-20261120.docx)."""
    return f"{_UNSAFE.sub('_', doc.title)}-{doc.date:%Y%m%d}.{fmt}"


def write(doc: Document, path: Path, fmt: str | None = None, *,
          io: FileIO | None = None) -> Path:
    """Save ``doc`` at ``path`` atomically (no half-written file on failure)."""
    from storage.fsio import DEFAULT_IO

    path = Path(path)
    data = render(doc, fmt or format_of(path))
    if not path.parent.is_dir():
        raise UserError("report.no_folder", path=str(path.parent))
    try:
        (io or DEFAULT_IO).write_atomic(path, data)
    except OSError:
        raise UserError("report.write_failed", path=str(path)) from None
    return path
