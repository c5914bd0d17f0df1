"""Weekly summary (每周工作小结): the seven days ending on the given day —
the check-in trend against the week before, contacts and their follow-ups,
care visits and support given, task completion, notice coverage, alerts.
Figures only: nobody is named, so it reads the same at every redaction level."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.records.alert import ALERT, OPEN, RULES
from branchtool.records.care import SUPPORTS, VISIT
from branchtool.records.contact import OUTCOMES
from branchtool.reports import text
from branchtool.reports.base import check_redaction, new_document, none_text
from branchtool.reports.document import Amount, Document, Section, Share, Table
from branchtool.services import health_rules as rules

if TYPE_CHECKING:
    from branchtool.services.health import DayFigures
    from branchtool.session import Session

KIND = "weekly"
DAYS = 7


def week_of(end: dt.date) -> tuple[dt.date, dt.date]:
    return end - dt.timedelta(days=DAYS - 1), end


def issue_number(session: Session, end: dt.date) -> str:
    first = session.health.first_day()
    if first is None or end < first:
        return ""
    return i18n.t("report.weekly.number", n=(end - first).days // DAYS + 1)


def build(session: Session, end: dt.date, redaction: str = "standard") -> Document:
    check_redaction(redaction)
    start, _ = week_of(end)
    doc = new_document(session, KIND, end, number=issue_number(session, end),
                       subtitle=i18n.t("report.weekly.subtitle", period=text.period(start, end)))
    titles = ("health", "contacts", "care", "tasks", "notices", "alerts")
    sections = [doc.section(text.section_title(n, i18n.t(f"report.weekly.{key}")))
                for n, key in enumerate(titles, start=1)]
    _health(sections[0], session, end)
    _contacts(sections[1], session, start, end)
    _care(sections[2], session, start, end)
    _tasks(sections[3], session, start, end)
    _notices(sections[4], session, start, end)
    _alerts(sections[5], session, start, end)
    return doc


def _totals(days: list[DayFigures | None]) -> dict[str, int]:
    found = [d for d in days if d is not None]
    return {key: sum(getattr(d, key) for d in found)
            for key in ("expected", "reported", "fever", "symptom", "risk")}


def _change(now: int, before: int, key: str) -> str:
    if now == before:
        return i18n.t("report.change.same")
    word = "up" if now > before else "down"
    return i18n.t(f"report.change.{key}_{word}", n=text.number(abs(now - before)))


def _rate_change(now: Share, before: Share) -> str:
    delta = round((now.ratio - before.ratio) * 100, 1)
    if delta == 0:
        return i18n.t("report.change.same")
    word = "up" if delta > 0 else "down"
    return i18n.t(f"report.change.points_{word}", n=f"{abs(delta):.1f}")


def _health(section: Section, session: Session, end: dt.date) -> None:
    health = session.health
    week = health.series(end, DAYS)
    before = health.series(end - dt.timedelta(days=DAYS), DAYS)
    now, prev = _totals(week), _totals(before)
    if not any(week):
        section.paragraph(i18n.t("report.weekly.no_checkins"))
        return
    rate = Share(now["reported"], now["expected"])
    abnormal, abnormal_before = now["fever"] + now["symptom"], prev["fever"] + prev["symptom"]
    section.paragraph(i18n.t(
        "report.weekly.health_totals", expected=text.number(now["expected"]),
        reported=text.number(now["reported"]), rate=text.share(rate),
        fever=text.number(now["fever"]), symptom=text.number(now["symptom"]),
        risk=text.number(now["risk"])))
    if any(before):
        section.paragraph(i18n.t(
            "report.weekly.trend",
            rate=_rate_change(rate, Share(prev["reported"], prev["expected"])),
            abnormal=_change(abnormal, abnormal_before, "times")))
    table = Table(i18n.t("report.weekly.table.days"),
                  [i18n.t("report.col.date"), i18n.t("report.col.expected"),
                   i18n.t("report.col.reported"), i18n.t("report.col.missing"),
                   i18n.t("report.col.rate"), i18n.t("report.col.fever"),
                   i18n.t("report.col.symptom"), i18n.t("report.col.observation"),
                   i18n.t("report.col.quarantine")])
    for day in week:
        if day is None:
            continue
        outside = [rules.isolation_group(c["observation_type"])
                   for c in session.contacts.outside_isolation(day.date)]
        table.rows.append([text.short_day(day.date), day.expected, day.reported, day.missing,
                           Share(day.reported, day.expected), day.fever, day.symptom,
                           day.observation + outside.count("observation"),
                           day.quarantine + outside.count("quarantine")])
    section.add(table)


def _contacts(section: Section, session: Session, start: dt.date, end: dt.date) -> None:
    contacts = session.contacts
    first, last = start.isoformat(), end.isoformat()
    every = contacts.all()
    new = sum(1 for c in every if first <= (c.get("start_date") or c["exposure_date"]) <= last)
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for c in every:
        if c.get("outcome") and first <= c.get("outcome_date", "") <= last:
            outcomes[c["outcome"]] += 1
    due = done = 0
    day = start
    while day <= end:
        active = {c["id"] for c in every if rules.observation_active(c, day)}
        due += len(active)
        done += len(active & set(contacts.followups_on(day)))
        day += dt.timedelta(days=1)
    section.paragraph(i18n.t(
        "report.weekly.contacts_totals", new=text.number(new),
        released=text.number(outcomes["released"]), referred=text.number(outcomes["referred"]),
        confirmed=text.number(outcomes["confirmed"]),
        active=text.number(len(contacts.active_on(end))), due=text.number(due),
        done=text.number(done), rate=text.share(Share(done, due))))


def _care(section: Section, session: Session, start: dt.date, end: dt.date) -> None:
    summary = session.care.summary(start, end)
    section.paragraph(i18n.t(
        "report.weekly.care_totals", visits=text.number(summary.support.visits),
        people=text.number(summary.people_visited), following=text.number(summary.following),
        opened=text.number(summary.opened), closed=text.number(summary.closed_people),
        amount=text.amount(Amount(summary.support.amount))))
    section.add(support_table(summary.support))


def support_table(support: object) -> Table:
    """Support given by type, with the total (``support`` is a ``SupportTotals``)."""
    kind = VISIT.field("support")
    table = Table(i18n.t("report.table.support"),
                  [kind.label, i18n.t("report.col.times"), i18n.t("report.col.amount")])
    by_type = support.by_type  # type: ignore[attr-defined]
    for code in SUPPORTS:
        entry = by_type[code]
        table.rows.append([kind.choice_label(code), entry.count, Amount(entry.amount)])
    table.rows.append([i18n.t("report.total"), sum(e.count for e in by_type.values()),
                       Amount(support.amount)])  # type: ignore[attr-defined]
    return table


def _tasks(section: Section, session: Session, start: dt.date, end: dt.date) -> None:
    done = session.tasks.completion(start, end)
    section.paragraph(i18n.t(
        "report.weekly.tasks_totals", due=text.number(done.due), done=text.number(done.done),
        on_time=text.number(done.on_time), rate=text.share(Share(done.done, done.due)),
        open=text.number(done.open), overdue=text.number(done.overdue),
        completed=text.number(done.completed_in_period)))


def _notices(section: Section, session: Session, start: dt.date, end: dt.date) -> None:
    notices = session.notices
    first, last = start.isoformat(), end.isoformat()
    shown = {n["id"]: n for n in notices.current(end)}
    shown.update({n["id"]: n for n in notices.all() if first <= n["issued_on"] <= last})
    if not shown:
        section.paragraph(i18n.t("report.weekly.no_notices"))
        return
    table = Table(i18n.t("report.weekly.table.notices"),
                  [i18n.t("report.col.notice_number"), i18n.t("report.col.notice_title"),
                   i18n.t("report.col.audience"), i18n.t("report.col.relayed"),
                   i18n.t("report.col.coverage"), i18n.t("report.col.acknowledged")])
    expected = relayed = 0
    for notice in sorted(shown.values(), key=lambda n: (n["issued_on"], n["id"])):
        coverage = notices.coverage(notice["id"])
        expected += coverage.expected
        relayed += coverage.relayed
        table.rows.append([notice.get("number", ""), notice["title"], coverage.expected,
                           coverage.relayed, Share(coverage.relayed, coverage.expected),
                           coverage.acknowledged])
    section.paragraph(i18n.t("report.weekly.notices_totals", n=text.number(len(shown)),
                             rate=text.share(Share(relayed, expected))))
    section.add(table)


def _alerts(section: Section, session: Session, start: dt.date, end: dt.date) -> None:
    first, last = start.isoformat(), end.isoformat()
    raised = dict.fromkeys(RULES, 0)
    still_open = dict.fromkeys(RULES, 0)
    for alert in session.alerts.all():
        if first <= alert["since"] <= last:
            raised[alert["rule"]] += 1
        if alert["status"] == OPEN:
            still_open[alert["rule"]] += 1
    if not any(raised.values()) and not any(still_open.values()):
        section.paragraph(none_text())
        return
    rule = ALERT.field("rule")
    section.add(Table(i18n.t("report.weekly.table.alerts"),
                      [rule.label, i18n.t("report.col.raised"), i18n.t("report.col.open")],
                      [[rule.choice_label(r), raised[r], still_open[r]] for r in RULES]))
