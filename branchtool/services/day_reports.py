"""What the secretary writes into a day's daily report (疫情防控日报) herself:
the free-text 其他事项, kept in the vault (partition ``daily_reports``,
encrypted like every record) with the report's date, so reopening the day
shows it again and every later export of that day's report carries it.

A document::

    {"id", "date": "2026-12-05", "other": "...", "zero": bool, "saved_at"}

``zero``: saved with the one-key zero report (今日无异常). The text is the
secretary's own, but it leaves the machine in reports, so it is kept to what
a document can hold: line breaks and tabs stay, every other control
character is dropped (Word refuses them; a terminal would obey them), and
it is at most ``MAX_LENGTH`` characters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from branchtool.errors import UserError
from branchtool.services.book import utc_now
from branchtool.services.query import where

PARTITION = "daily_reports"
MAX_LENGTH = 2000
# C0 controls but tab and line feed, DEL, C1, and the invisible characters
# that reorder or break lines (as ``branchtool.shown`` spells them out).
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                      "\u202a-\u202e\u2066-\u2069]")


def clean_other(text: str) -> str:
    """``text`` as kept: Windows line ends made one, controls dropped, each
    line's trailing spaces and the blank lines around it trimmed."""
    flat = _DROPPED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in flat.split("\n")]
    value = "\n".join(lines).strip("\n")
    if not value.strip():
        return ""
    if len(value) > MAX_LENGTH:
        raise UserError("report.other.too_long", n=MAX_LENGTH, length=len(value))
    return value


class _Partition(Protocol):
    def search(self, query: Any) -> list[Mapping[str, Any]]: ...
    def insert(self, doc: dict[str, Any]) -> str: ...
    def update(self, record_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...


class DayReports:
    """The daily reports' own words, by date."""

    def __init__(self, partition: _Partition, *, now: Callable[[], str] = utc_now) -> None:
        self._part = partition
        self._now = now

    def _doc(self, day: dt.date) -> dict[str, Any] | None:
        found = self._part.search(where("date") == day.isoformat())
        return dict(min(found, key=lambda d: d["id"])) if found else None

    def get(self, day: dt.date) -> dict[str, Any] | None:
        """A copy of what was saved for ``day`` (None: nothing yet)."""
        return self._doc(day)

    def other(self, day: dt.date) -> str:
        doc = self._doc(day)
        return str(doc.get("other", "")) if doc else ""

    def save(self, day: dt.date, other: str, *, zero: bool = False) -> dict[str, Any]:
        """Keep ``other`` as the 其他事项 of ``day``'s report (one write)."""
        value = clean_other(other)
        doc = self._doc(day)
        fields = {"date": day.isoformat(), "other": value, "zero": zero,
                  "saved_at": self._now()}
        if doc is None:
            fields["id"] = self._part.insert(dict(fields))
            return fields
        return self._part.update(doc["id"], fields)
