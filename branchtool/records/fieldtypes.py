"""Field types beyond text, choices and dates, for the care, task, record and
deed definitions: an amount of money, a date with a time, and references to
other records (roster people, tasks).

They are ``FieldDef``s, so a ``RecordDef`` lists them like any other field and
their label, column and validation still come from that one definition. They
keep the "values are stored as text" rule: an amount is ``"200.00"``, a date
and time ``"2024-06-01T17:30"``, a reference the record's id and a list of
references the ids separated by single spaces (ids never hold spaces).

Whether a referenced person exists and may be chosen (archived people cannot
be newly assigned) needs the roster: services check that, not ``parse``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from branchtool import i18n, money
from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind, Problem

_TIME = re.compile(r"(.*?)[\sT]*(\d{1,2})\s*[:：时点]\s*(\d{2})?\s*分?$")
END_OF_DAY = "23:59"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class MoneyField(FieldDef):
    """An amount in yuan, exact to the fen, stored as ``"200.00"``."""

    kind: Kind = Kind.TEXT

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return "", None
        value, key = money.parse(raw)
        if value is None:
            return "", self.problem(key or "amount.invalid", maximum=money.display(money.MAXIMUM))
        return money.to_text(value), None

    def display(self, value: str) -> str:
        return money.display(value) if value else ""


def parse_datetime(raw: object) -> str | None:
    """``YYYY-MM-DDTHH:MM`` for a date with an optional time written any usual
    way (``2024-06-01 17:30``, ``2024年6月1日 17时30分``); a date alone means
    the end of that day. ``None`` if it is not one."""
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%dT%H:%M")
    if isinstance(raw, dt.date):
        return f"{raw.isoformat()}T{END_OF_DAY}"
    text = str(raw).strip()
    if len(text) > 10 and text[:4].isdigit() and text[4] == "-":
        try:  # ISO 8601, seconds included
            return dt.datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            pass
    match = _TIME.fullmatch(text)
    clock = END_OF_DAY
    if match and match.group(1):
        hour, minute = int(match.group(2)), int(match.group(3) or 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None
        text, clock = match.group(1).strip(), f"{hour:02d}:{minute:02d}"
    day = dates.parse(text)
    if day is None or len(day) != 10:
        return None
    return f"{day}T{clock}"


def to_datetime(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class DateTimeField(FieldDef):
    """A day and a time of day (local wall-clock time), stored as
    ``YYYY-MM-DDTHH:MM``."""

    kind: Kind = Kind.DATE

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return "", None
        value = parse_datetime(raw)
        return (value, None) if value else ("", self.problem("datetime.invalid"))

    def display(self, value: str) -> str:
        return i18n.format_datetime(to_datetime(value)) if value else ""


def split_ids(value: str) -> list[str]:
    """The ids a stored reference list holds."""
    return value.split()


@dataclass(frozen=True)
class RefField(FieldDef):
    """The id of one record of ``target`` ("person": the roster; "task")."""

    kind: Kind = Kind.CHOICE
    target: str = "person"

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        text = "" if raw is None else str(raw).strip()
        if not text:
            return "", None
        if not _ID.fullmatch(text):
            return "", self.problem("ref.invalid")
        return text, None

    def display(self, value: str) -> str:  # a service shows the name, not the id
        return value


@dataclass(frozen=True)
class RefListField(FieldDef):
    """Ids of several records of ``target``, stored space-separated in the
    order chosen, each once."""

    kind: Kind = Kind.CHOICE
    target: str = "person"
    max_items: int = 500

    def parse(self, raw: object) -> tuple[str, Problem | None]:
        if raw is None:
            return "", None
        items = raw.split() if isinstance(raw, str) else [str(i).strip() for i in raw]  # type: ignore[attr-defined]
        ids = list(dict.fromkeys(i for i in items if i))
        if any(not _ID.fullmatch(i) for i in ids):
            return "", self.problem("ref.invalid")
        if len(ids) > self.max_items:
            return "", self.problem("ref.too_many", maximum=self.max_items)
        return " ".join(ids), None

    def display(self, value: str) -> str:
        return value
