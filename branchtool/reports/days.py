"""The day summaries of many days at once, for the daily reports a bundle
carries (one per day of the period).

``HealthService.day_summary`` reads one day's check-ins at a time, each one a
copy taken from the store; a month's bundle for 3,000 people would take
90,000 such copies day by day. Here each month's check-ins are read in one
pass and grouped by day, and the roster and the settings are read once; each
day is then summed up by the same ``summarize_day`` that ``day_summary`` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from branchtool.records.checkin import partition_name
from branchtool.services.health import DaySummary, summarize_day

if TYPE_CHECKING:
    from branchtool.session import Session

Entries = dict[str, dict[str, Any]]  # person id -> stored check-in


def checkins_by_day(session: Session, days: Iterable[dt.date]) -> dict[str, Entries]:
    """ISO day -> the day's check-ins, each month read once."""
    wanted = {day.isoformat() for day in days}
    found: dict[str, Entries] = {key: {} for key in wanted}
    vault = session.vault
    existing = set(vault.partitions("checkins/"))
    for name in sorted({partition_name(key) for key in wanted} & existing):
        for doc in vault.partition(name).all():
            entries = found.get(doc.get("date", ""))
            if entries is not None:
                entries[doc["person"]] = doc
    return found


def summaries(session: Session, days: list[dt.date]) -> dict[dt.date, tuple[DaySummary, Entries]]:
    """``health.day_summary(day, contacts=...)`` and the day's check-ins, for
    every day of ``days``."""
    health, contacts = session.health, session.contacts
    settings = health.settings
    expected = [p.id for p in health.active_people()]
    by_day = checkins_by_day(session, days)
    out: dict[dt.date, tuple[DaySummary, Entries]] = {}
    for day in days:
        entries = by_day[day.isoformat()]
        summary = summarize_day(day, expected, entries, settings,
                                contacts.person_isolation(day), contacts)
        out[day] = (summary, entries)
    return out
