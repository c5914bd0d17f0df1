"""The figures a bundle carries for the office's dashboard, computed from the
services' public methods (the contract is ``branchtool.office.topics``).

Counts only, never a name or an id of a person: they are sent at every
redaction level, the counts-only one included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from branchtool import money
from branchtool.records.alert import OPEN, RULES
from branchtool.records.contact import OUTCOMES
from branchtool.records.deed import PROPOSED, REPORTED
from branchtool.records.person import ACTIVE
from branchtool.services import health_rules as rules
from branchtool.services.care import OVERDUE

if TYPE_CHECKING:
    from branchtool.period import Period
    from branchtool.session import Session


def roster(session: Session, period: Period) -> dict[str, Any]:
    """Head counts of the people the branch looks after, by category and stage."""
    active = [p for p in session.roster.people() if p.status == ACTIVE]
    return {
        "active": len(active),
        "by_category": dict(Counter(p["category"] for p in active)),
        "by_stage": dict(Counter(p["stage"] for p in active)),
    }


def health(session: Session, period: Period, earlier: Collection[dt.date] = ()
           ) -> dict[str, Any]:
    """Per day: expected, reported, missing, fever, symptom, risk, observation
    and quarantine (roster people and outside contacts, as the daily report
    counts them), and the contacts' follow-ups due, done and ending. Also for
    the ``earlier`` days, before the period, whose records the bundle
    corrects: the office counts them again."""
    days = list(period.days())
    series = session.health.series(period.end, len(days))
    for day in sorted(d for d in set(earlier) if d < period.start):
        series += session.health.series(day, 1)
    contacts = session.contacts
    out: dict[str, dict[str, int]] = {}
    for figures in series:
        if figures is None:
            continue
        day = figures.date
        outside = [rules.isolation_group(c["observation_type"])
                   for c in contacts.outside_isolation(day)]
        agenda = contacts.agenda(day)
        out[day.isoformat()] = {
            "expected": figures.expected, "reported": figures.reported,
            "missing": figures.missing, "fever": figures.fever, "symptom": figures.symptom,
            "risk": figures.risk,
            "observation": figures.observation + outside.count("observation"),
            "quarantine": figures.quarantine + outside.count("quarantine"),
            "followups_due": len(agenda.due) + len(agenda.done),
            "followups_done": len(agenda.done),
            "observation_ending": len(agenda.ending),
        }
    first = session.health.first_day()
    return {"days": out, "first_day": first.isoformat() if first else None}


def contacts(session: Session, period: Period) -> dict[str, Any]:
    first, last = period.start.isoformat(), period.end.isoformat()
    every = session.contacts.all()
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for c in every:
        if c.get("outcome") and first <= c.get("outcome_date", "") <= last:
            outcomes[c["outcome"]] += 1
    return {
        "active": len(session.contacts.active_on(period.end)),
        "new": sum(1 for c in every
                   if first <= (c.get("start_date") or c["exposure_date"]) <= last),
        **outcomes,
    }


def alerts(session: Session, period: Period) -> dict[str, Any]:
    first, last = period.start.isoformat(), period.end.isoformat()
    raised = dict.fromkeys(RULES, 0)
    still_open = 0
    for alert in session.alerts.all():
        if first <= alert["since"] <= last:
            raised[alert["rule"]] += 1
        still_open += alert["status"] == OPEN
    return {"open": still_open, "raised": raised}


def care(session: Session, period: Period) -> dict[str, Any]:
    summary = session.care.summary(period.start, period.end)
    overdue = [r for r in session.care.reminders(period.end) if r.kind == OVERDUE]
    return {
        "open": summary.following, "opened": summary.opened,
        "closed": summary.closed_people, "overdue_visits": len(overdue),
        "visits": summary.support.visits, "people_visited": summary.people_visited,
        "support_amount": money.to_text(summary.support.amount),
        "by_hardship": dict(summary.by_hardship), "by_severity": dict(summary.by_severity),
    }


def tasks(session: Session, period: Period) -> dict[str, Any]:
    done = session.tasks.completion(period.start, period.end)
    counts = session.tasks.counts()
    return {
        "open": counts.get("todo", 0) + counts.get("doing", 0),
        "overdue": counts.get("overdue", 0),
        "due": done.due, "done": done.done, "on_time": done.on_time,
        "completed": done.completed_in_period,
    }


def notices(session: Session, period: Period) -> dict[str, Any]:
    """Coverage of the notices current at the period's end; ``confirmed`` is
    the members reached (the relay recorded), as the branch's dashboard counts."""
    service = session.notices
    totals = {"current": 0, "expected": 0, "relayed": 0, "confirmed": 0,
              "acknowledged": 0, "studied": 0}
    by_notice = []
    for notice in service.current(period.end):
        coverage = service.coverage(notice["id"])
        totals["current"] += 1
        totals["expected"] += coverage.expected
        totals["relayed"] += coverage.relayed
        totals["confirmed"] += coverage.relayed
        totals["acknowledged"] += coverage.acknowledged
        totals["studied"] += coverage.studied
        by_notice.append({"id": notice["id"], "number": notice.get("number", ""),
                          "title": notice["title"], "expected": coverage.expected,
                          "relayed": coverage.relayed, "acknowledged": coverage.acknowledged})
    return {**totals, "notices": by_notice}


def records(session: Session, period: Period) -> dict[str, Any]:
    summary = session.member_records.summary(period.start, period.end)
    deeds = session.deeds.all()
    return {
        "by_kind": dict(summary.by_kind), "members": len(summary.by_member),
        "deeds_proposed": sum(1 for d in deeds if d.get("status") == PROPOSED),
        "deeds_reported": sum(1 for d in deeds if d.get("status") == REPORTED),
    }


# the providers that also count the earlier days a bundle corrects
REVISABLE = frozenset({"health"})
FIGURES = {"roster": roster, "health": health, "contacts": contacts, "alerts": alerts,
           "care": care, "tasks": tasks, "notices": notices, "records": records}
