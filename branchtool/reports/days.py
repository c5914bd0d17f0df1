"""The day summaries of many days at once, for the daily reports a bundle
carries (one per day of the period).

``HealthService.day_summary`` reads one day's check-ins at a time, each one a
copy taken from the store; a month's bundle for 3,000 people would take
90,000 such copies day by day. Here each month's check-ins are read in one
pass and grouped by day, and the roster and the settings are read once; the
rest is what ``day_summary`` does, from the same public pieces (the rules,
the contacts' isolation and agenda). ``tests/test_reports.py`` holds the two
equal for every day of the golden demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from branchtool.records.checkin import expand, partition_name
from branchtool.services import health_rules as rules
from branchtool.services.health import Abnormal, DaySummary

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
        reported = [pid for pid in expected if pid in entries]
        abnormal = []
        for pid in reported:
            flags = rules.checkin_flags(entries[pid], settings)
            if flags:
                abnormal.append(Abnormal(pid, flags, expand(entries[pid])))
        groups = {pid: rules.isolation_group(code)
                  for pid, code in contacts.person_isolation(day).items()}
        for pid, doc in entries.items():
            group = rules.isolation_group(doc.get("isolation", ""))
            if group and pid not in groups:
                groups[pid] = group
        summary = DaySummary(
            day, expected, reported, [pid for pid in expected if pid not in entries], abnormal,
            observation=[p for p in expected if groups.get(p) == "observation"],
            quarantine=[p for p in expected if groups.get(p) == "quarantine"],
        )
        for doc in contacts.outside_isolation(day):
            group = rules.isolation_group(doc["observation_type"])
            target = (summary.outside_observation if group == "observation"
                      else summary.outside_quarantine)
            target.append(doc["id"])
        agenda = contacts.agenda(day)
        summary.followups_due = [d["id"] for d in agenda.due]
        summary.observation_ending = [d["id"] for d in agenda.ending]
        out[day] = (summary, entries)
    return out
