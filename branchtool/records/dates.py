"""Dates as rosters write them.

A stored date is ISO text: ``YYYY-MM-DD``, or ``YYYY-MM`` where the source
only knew the month (Chinese rosters often record 入党时间 as "2019.06").
Dates compare at the precision both sides have.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from branchtool import i18n

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SERIAL = re.compile(r"[1-7]\d{4}")  # 10000 (1927) to 79999 (2118)
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _iso(year: int, month: int, day: int | None) -> str | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        if day is None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse(raw: object) -> str | None:
    """ISO text for a date written any usual way, ``None`` if it is not one.

    Accepts date objects, Excel serial day numbers, 2020-02-01, 2020/2/1,
    2020.2.1, 2020年2月1日, 20200201, and month precision (2019.06, 2019年6月).
    """
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return _iso(raw.year, raw.month, raw.day)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):  # a workbook's 1e999
            return None
        if isinstance(raw, float) and not raw.is_integer():
            raw = int(raw)  # a date-time serial: keep the day
        number = int(raw)
        if 19000101 <= number <= 21001231:
            return parse(str(number))
        if 1 <= number <= 80000:
            day = _EXCEL_EPOCH + dt.timedelta(days=number)
            return _iso(day.year, day.month, day.day)
        return None
    text = _TIME_TAIL.sub("", str(raw).strip())
    if _SERIAL.fullmatch(text):  # an unformatted date cell, as a CSV writes it
        return parse(int(text))
    for pattern in (_DAY, _MONTH, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (*match.groups(), None)[:3]
            return _iso(int(year), int(month), int(day) if day else None)
    return None


def to_date(value: str) -> dt.date | None:
    """The day a stored date names (the first of the month for month precision)."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def precedes(first: str, second: str) -> bool:
    """Whether date ``first`` is strictly before ``second`` at the precision both
    have: "2019-06" does not precede "2019-06-15", nor the reverse."""
    common = min(len(first), len(second))
    return first[:common] < second[:common]


def display(value: str) -> str:
    """A stored date the way the current language writes it."""
    if not value:
        return ""
    if len(value) == 7:
        year, month = value.split("-")
        return i18n.t("date.year_month", year=int(year), month=int(month))
    return i18n.format_date(dt.date.fromisoformat(value))
