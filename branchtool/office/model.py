"""Where the office keeps what it knows, and its settings.

Partitions of an office vault:

``branches``        one document per enrolled branch (id = branch code): name,
                    keys, the last accepted bundle, accepted sequences, missing
                    sequences, per-day arrivals and health figures, latest figures
``trust_log``       one document per trust event (enrol, re-enrol, rotate, revoke)
``bundles/YYYY-MM`` one document per accepted bundle (id = bundle id), by import
                    month: what arrived, its counts, figures and rendered reports
``records``         records reported by the branches, as last reported: one
``records/YYYY-MM`` document per branch and kind, or per branch, kind and day for
                    kinds a branch keeps in monthly partitions (check-ins)
``changes/YYYY-MM`` records changed after they were reported, with old and new values
``gaps``            while a branch has sequences missing: what the office keeps of
                    the files beside them to check a late file (``checks.Link``)
``office_settings`` the report deadline and the import size cap
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from branchtool.errors import UserError

BRANCHES = "branches"
TRUST_LOG = "trust_log"
BUNDLES = "bundles"
RECORDS = "records"
CHANGES = "changes"
GAPS = "gaps"
SETTINGS = "office_settings"
SETTINGS_ID = "office"
# Left unloaded when the office is unlocked, loaded when first touched (an
# import, a branch's page): after a semester of 500 branches the reported
# records alone are hundreds of MB, and the dashboard reads none of these.
LOADED_LATER = frozenset({RECORDS, BUNDLES, CHANGES})

DEFAULT_DEADLINE = "09:30"
DEFAULT_MAX_SIZE = 256 << 20
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

Clock = Callable[[], dt.datetime]


def local_now() -> dt.datetime:
    """The office's wall clock, timezone-aware (the machine's zone)."""
    return dt.datetime.now().astimezone()


def iso_utc(moment: dt.datetime) -> str:
    """How the office stores a moment: UTC, milliseconds, ``Z``."""
    return (moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"))


def parse_iso(value: Any) -> dt.datetime | None:
    """A stored (or a bundle's signed) moment; ``None`` if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def month_of(value: Any) -> str:
    """``YYYY-MM`` of an ISO date or moment, or ``""`` when it is not one."""
    text = str(value)[:7] if isinstance(value, str) else ""
    return text if _MONTH.match(text) else ""


def day_of(value: Any) -> str:
    """``YYYY-MM-DD`` of an ISO date or moment, or ``""`` when it is not one."""
    text = value[:10] if isinstance(value, str) else ""
    return text if _DAY.match(text) else ""


def partition_of(prefix: str, month: str) -> str:
    return f"{prefix}/{month}" if month else prefix


@dataclass(frozen=True)
class OfficeSettings:
    deadline: str = DEFAULT_DEADLINE  # HH:MM, local time, on the report's day
    max_size: int = DEFAULT_MAX_SIZE  # bytes; larger files are refused unread

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> OfficeSettings:
        doc = doc or {}
        deadline = doc.get("deadline", DEFAULT_DEADLINE)
        size = doc.get("max_size", DEFAULT_MAX_SIZE)
        return cls(
            deadline=deadline if isinstance(deadline, str) and _HHMM.match(deadline)
            else DEFAULT_DEADLINE,
            max_size=size if isinstance(size, int) and size > 0 else DEFAULT_MAX_SIZE,
        )

    def to_doc(self) -> dict[str, Any]:
        return {"id": SETTINGS_ID, "deadline": self.deadline, "max_size": self.max_size}

    def deadline_time(self) -> dt.time:
        hours, minutes = self.deadline.split(":")
        return dt.time(int(hours), int(minutes))


def check_deadline(value: str) -> str:
    if not _HHMM.match(value):
        raise UserError("office.bad_deadline")
    return value


def human_size(size: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            value = size / (1 << shift)
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"
