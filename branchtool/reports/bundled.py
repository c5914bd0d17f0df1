"""The reports a bundle carries, rendered as Markdown at the export's
redaction level: the daily report of every day of the period since the watch
began, the weekly summary of every whole week counted back from the period's
end, the care-work and members' records summaries of the period, and the
deeds material while deeds are marked for reporting."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool.reports import markdown
from branchtool.reports.weekly import DAYS

if TYPE_CHECKING:
    from branchtool.period import Period
    from branchtool.session import Session


def daily_days(session: Session, period: Period, redaction: str) -> list[dt.date]:
    first = session.health.first_day()
    if first is None:
        return []
    return [day for day in period.days() if day >= first]


def weekly_days(session: Session, period: Period, redaction: str) -> list[dt.date]:
    first = session.health.first_day()
    ends: list[dt.date] = []
    end = period.end
    while end - dt.timedelta(days=DAYS - 1) >= period.start:
        if first is not None and end >= first:
            ends.append(end)
        end -= dt.timedelta(days=DAYS)
    return sorted(ends)


def period_end(session: Session, period: Period, redaction: str) -> list[dt.date]:
    return [period.end]


def deeds_days(session: Session, period: Period, redaction: str) -> list[dt.date]:
    return [period.end] if session.deeds.for_reporting() else []


def render_daily(session: Session, period: Period, days: list[dt.date],
                 redaction: str) -> list[str]:
    from branchtool.reports import daily
    from branchtool.reports.days import summaries

    found = summaries(session, days)
    return [markdown.render(daily.build(session, day, redaction, summary=found[day][0],
                                        entries=found[day][1])) for day in days]


def render_weekly(session: Session, period: Period, days: list[dt.date],
                  redaction: str) -> list[str]:
    from branchtool.reports import weekly

    return [markdown.render(weekly.build(session, day, redaction)) for day in days]


def render_care(session: Session, period: Period, days: list[dt.date],
                redaction: str) -> list[str]:
    from branchtool.reports import care

    return [markdown.render(care.build(session, period.start, day, redaction)) for day in days]


def render_records(session: Session, period: Period, days: list[dt.date],
                   redaction: str) -> list[str]:
    from branchtool.reports import member_records

    return [markdown.render(member_records.build(session, period.start, day, redaction))
            for day in days]


def render_deeds(session: Session, period: Period, days: list[dt.date],
                 redaction: str) -> list[str]:
    from branchtool.reports import deeds

    return [markdown.render(deeds.build(session, day, redaction)) for day in days]


# kind -> (label key, plan, render)
PROVIDERS = {
    "daily": ("report.kind.daily", daily_days, render_daily),
    "weekly": ("report.kind.weekly", weekly_days, render_weekly),
    "care": ("report.kind.care", period_end, render_care),
    "records": ("report.kind.records", period_end, render_records),
    "deeds": ("report.kind.deeds", deeds_days, render_deeds),
}
