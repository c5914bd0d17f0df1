"""The college summary of a day written to a file: .md, .docx or .xlsx, by
the file's suffix or the format asked (``OfficeService.export_summary``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from branchtool.errors import UserError
from branchtool.office.summary import build, markdown
from branchtool.office.summary_docx import docx_bytes
from branchtool.office.summary_xlsx import xlsx_bytes
from storage.fsio import DEFAULT_IO

if TYPE_CHECKING:
    from branchtool.office.service import OfficeService

KINDS = ("md", "docx", "xlsx")


def export(office: OfficeService, path: Path, day: dt.date, kind: str | None) -> Path:
    kind = kind or path.suffix.lstrip(".").lower()
    if kind not in KINDS:
        raise UserError("office.summary.bad_format")
    summary = build(office, day)
    if kind == "md":
        data = markdown(summary).encode("utf-8")
    elif kind == "docx":
        data = docx_bytes(summary)
    else:
        data = xlsx_bytes(summary)
    try:
        DEFAULT_IO.write_atomic(path, data)
    except OSError:
        raise UserError("office.summary.write_failed", path=str(path)) from None
    return path
