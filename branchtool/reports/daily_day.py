"""The rest of the day in the daily report (疫情防控日报): each alert and how
it was handled, the observations that began or end today, the day's care
visits and the support given, and how far each current notice has reached.

What a redaction level shows: the handling notes and what a visit found
only in full; names in standard and full; counts only at the counts level.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from branchtool import i18n, money
from branchtool.records.alert import ALERT, OPEN
from branchtool.records.care import VISIT
from branchtool.records.contact import CONTACT
from branchtool.reports import text
from branchtool.reports.base import COUNTS, FULL, none_text, person_name
from branchtool.reports.document import Section, Table

if TYPE_CHECKING:
    from branchtool.session import Session


def day_alerts(session: Session, day: dt.date) -> list[dict[str, str]]:
    """The alerts of the day: raised by then and open, or handled that day or later."""
    key = day.isoformat()
    found = [a for a in session.alerts.all() if a["since"] <= key
             and (a["status"] == OPEN or (a.get("handled_on") or "") >= key)]
    return sorted(found, key=lambda a: (a["since"], person_name(session, a["person"])))


def alerts(section: Section, session: Session, day: dt.date, redaction: str) -> None:
    found = day_alerts(session, day)
    if not found:
        section.paragraph(none_text())
        return
    status = ALERT.field("status")
    counts = {s: sum(1 for a in found if a["status"] == s) for s in status.choices}
    section.paragraph(i18n.t("report.day.alerts", n=text.number(len(found)), **{
        s: text.number(n) for s, n in counts.items()}))
    if redaction == COUNTS:
        return
    columns = [i18n.t("report.col.no"), i18n.t("report.col.name"), ALERT.field("rule").label,
               ALERT.field("since").label, status.label, ALERT.field("handled_on").label]
    if redaction == FULL:
        columns.append(ALERT.field("note").label)
    table = Table(i18n.t("report.day.table.alerts"), columns)
    for n, alert in enumerate(found, start=1):
        row = [n, person_name(session, alert["person"]),
               ALERT.field("rule").display(alert["rule"]),
               ALERT.field("since").display(alert["since"]), status.display(alert["status"]),
               ALERT.field("handled_on").display(alert.get("handled_on", ""))]
        if redaction == FULL:
            row.append(alert.get("note", ""))
        table.rows.append(row)
    section.add(table)
    notes = sum(1 for a in found if a.get("note"))
    if redaction != FULL and notes:
        section.paragraph(i18n.t("report.day.notes_withheld", n=text.number(notes)))


def observations(section: Section, session: Session, day: dt.date, redaction: str) -> None:
    contacts = session.contacts
    key = day.isoformat()
    new = [c for c in contacts.all() if c.get("start_date") == key]
    ending = [c for c in contacts.all() if c.get("end_date") == key]
    section.paragraph(i18n.t("report.day.observations", new=text.number(len(new)),
                             ending=text.number(len(ending))))
    if redaction == COUNTS or not (new or ending):
        return
    kind = CONTACT.field("observation_type")
    table = Table(i18n.t("report.day.table.observations"),
                  [i18n.t("report.col.no"), i18n.t("report.col.name"), kind.label,
                   CONTACT.field("start_date").label, CONTACT.field("end_date").label,
                   i18n.t("report.day.col.change")])
    for n, (contact, change) in enumerate(
            [(c, "new") for c in new] + [(c, "ending") for c in ending], start=1):
        table.rows.append([n, contacts.name(contact),
                           kind.display(contact.get("observation_type", "")),
                           CONTACT.field("start_date").display(contact.get("start_date", "")),
                           CONTACT.field("end_date").display(contact.get("end_date", "")),
                           i18n.t(f"report.day.change.{change}")])
    section.add(table)


def care(section: Section, session: Session, day: dt.date, redaction: str) -> None:
    visits = session.care.visits_between(day, day)
    total = sum((money.from_text(v.get("amount", "")) for v in visits), Decimal(0))
    section.paragraph(i18n.t("report.day.care", n=text.number(len(visits)),
                             amount=money.display(total)))
    if redaction == COUNTS or not visits:
        return
    columns = [i18n.t("report.col.no"), i18n.t("report.col.name"), VISIT.field("method").label,
               VISIT.field("support").label, VISIT.field("amount").label]
    if redaction == FULL:
        columns.append(VISIT.field("findings").label)
    table = Table(i18n.t("report.day.table.care"), columns)
    for n, visit in enumerate(visits, start=1):
        case = session.care.get(visit.get("case", "")) or {}
        row = [n, session.care.who(case), VISIT.field("method").display(visit["method"]),
               VISIT.field("support").display(visit.get("support", "")),
               VISIT.field("amount").display(visit.get("amount", ""))]
        if redaction == FULL:
            row.append(visit.get("findings", ""))
        table.rows.append(row)
    section.add(table)


def notices(section: Section, session: Session, day: dt.date) -> None:
    current = session.notices.current(day)
    if not current:
        section.paragraph(none_text())
        return
    table = Table(i18n.t("report.day.table.notices"),
                  [i18n.t("report.col.no"), i18n.t("report.day.col.notice"),
                   i18n.t("report.day.col.relayed"), i18n.t("report.day.col.acknowledged")])
    for n, notice in enumerate(current, start=1):
        coverage = session.notices.coverage(notice["id"])
        table.rows.append([n, notice["title"], f"{coverage.relayed}/{coverage.expected}",
                           f"{coverage.acknowledged}/{coverage.expected}"])
    section.add(table)
