"""Today at a glance: the dashboard's figures and their 14- and 30-day series.

Everything here comes from small partitions: the day figures (``health_days``),
contacts and their follow-ups, notices and relays, alerts. No month of
check-ins is read, so a year of history costs the same as a week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from branchtool.services.alerts import AlertService
from branchtool.services.contacts import ContactService
from branchtool.services.health import DayFigures, HealthService
from branchtool.services.health_rules import isolation_group
from branchtool.services.notices import NoticeService
from branchtool.services.watch import as_day

SERIES_DAYS = 30
SHORT_DAYS = 14
# The figures with a series, in the order the dashboard shows them.
SERIES = ("reported", "missing", "fever", "symptom", "risk", "observation", "quarantine")
# Which list each figure opens.
TARGETS = {
    "expected": "sheet", "reported": "sheet", "missing": "sheet_missing",
    "fever": "alerts", "symptom": "alerts", "risk": "alerts",
    "observation": "contacts", "quarantine": "contacts", "followups_due": "contacts",
    "observation_ending": "contacts", "notice_coverage": "notices", "alerts_open": "alerts",
}


@dataclass
class Dashboard:
    date: dt.date
    expected: int
    reported: int
    fever: int
    symptom: int
    risk: int
    observation: int
    quarantine: int
    followups_due: int
    observation_ending: int
    notices: int  # current notices
    notice_expected: int
    notice_relayed: int
    alerts_open: int
    series: dict[str, list[int | None]] = field(default_factory=dict)  # 30 days, oldest first

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.reported)

    @property
    def notice_share(self) -> float:
        return self.notice_relayed / self.notice_expected if self.notice_expected else 1.0

    def short(self, key: str) -> list[int | None]:
        """The last 14 days of a series."""
        return self.series[key][-SHORT_DAYS:]

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "expected": self.expected, "reported": self.reported, "missing": self.missing,
            "fever": self.fever, "symptom": self.symptom, "risk": self.risk,
            "observation": self.observation, "quarantine": self.quarantine,
            "followups_due": self.followups_due, "observation_ending": self.observation_ending,
            "notice_coverage": {"notices": self.notices, "expected": self.notice_expected,
                                "relayed": self.notice_relayed,
                                "share": round(self.notice_share, 4)},
            "alerts_open": self.alerts_open,
            "series": {"days": SERIES_DAYS, **self.series},
        }


def _value(figures: DayFigures | None, key: str) -> int | None:
    return None if figures is None else int(getattr(figures, key))


def compute(health: HealthService, contacts: ContactService, notices: NoticeService,
            alerts: AlertService, day: dt.date | str) -> Dashboard:
    when = as_day(day)
    series = health.series(when, SERIES_DAYS)
    today = series[-1]
    expected = len(health.active_people()) if when == health.today() or today is None \
        else today.expected
    agenda = contacts.agenda(when)
    current = notices.current(when)
    notice_expected = notice_relayed = 0
    for notice in current:
        coverage = notices.coverage(notice["id"])
        notice_expected += coverage.expected
        notice_relayed += coverage.relayed
    return Dashboard(
        date=when,
        expected=expected,
        reported=today.reported if today else 0,
        fever=today.fever if today else 0,
        symptom=today.symptom if today else 0,
        risk=today.risk if today else 0,
        observation=_isolated(health, contacts, when, today, "observation"),
        quarantine=_isolated(health, contacts, when, today, "quarantine"),
        followups_due=len(agenda.due),
        observation_ending=len(agenda.ending),
        notices=len(current),
        notice_expected=notice_expected,
        notice_relayed=notice_relayed,
        alerts_open=alerts.count_open(),
        series={key: [_value(f, key) for f in series] for key in SERIES},
    )


def _isolated(health: HealthService, contacts: ContactService, day: dt.date,
              figures: DayFigures | None, group: str) -> int:
    """Roster people in the group (from contacts and check-ins) plus outside contacts."""
    inside = getattr(figures, group) if figures is not None else sum(
        1 for code in contacts.person_isolation(day).values() if isolation_group(code) == group)
    outside = sum(1 for d in contacts.outside_isolation(day)
                  if isolation_group(d["observation_type"]) == group)
    return inside + outside
