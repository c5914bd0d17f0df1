"""帮扶工作情况: the care work of a period — the people followed, by type of
hardship and severity, the visits made and the support given, the visits
overdue; at the full and standard levels the list of people followed (at the
full level with the measures taken). The hardship descriptions and what the
visits found are never in a report."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.records.care import CARE, FOLLOWING, HARDSHIPS, METHODS, SEVERITIES, VISIT
from branchtool.reports import text
from branchtool.reports.base import COUNTS, check_redaction, new_document, person_name
from branchtool.reports.document import Amount, Document, Section, Table
from branchtool.reports.weekly import support_table
from branchtool.services.care import OVERDUE, CareQuery

if TYPE_CHECKING:
    from branchtool.session import Session

KIND = "care"


def build(session: Session, start: dt.date, end: dt.date,
          redaction: str = "standard") -> Document:
    check_redaction(redaction)
    care = session.care
    summary = care.summary(start, end)
    doc = new_document(session, KIND, end,
                       subtitle=i18n.t("report.care.subtitle", period=text.period(start, end)))
    overview = doc.section(text.section_title(1, i18n.t("report.care.overview")))
    overview.paragraph(i18n.t(
        "report.care.totals", following=text.number(summary.following),
        opened=text.number(summary.opened), closed=text.number(summary.closed_people),
        visits=text.number(summary.support.visits), people=text.number(summary.people_visited),
        amount=text.amount(Amount(summary.support.amount))))
    spread = doc.section(text.section_title(2, i18n.t("report.care.spread")))
    hardship, severity = CARE.field("hardship"), CARE.field("severity")
    spread.add(Table(i18n.t("report.care.table.hardship"),
                     [hardship.label, i18n.t("report.col.people")],
                     [[hardship.choice_label(c), summary.by_hardship.get(c, 0)]
                      for c in HARDSHIPS]))
    spread.add(Table(i18n.t("report.care.table.severity"),
                     [severity.label, i18n.t("report.col.people")],
                     [[severity.choice_label(c), summary.by_severity.get(c, 0)]
                      for c in reversed(SEVERITIES)]))
    visits = doc.section(text.section_title(3, i18n.t("report.care.visits")))
    method = VISIT.field("method")
    visits.add(Table(i18n.t("report.care.table.methods"),
                     [method.label, i18n.t("report.col.times")],
                     [[method.choice_label(m), summary.visits_by_method.get(m, 0)]
                      for m in METHODS]))
    visits.add(support_table(summary.support))
    attention = doc.section(text.section_title(4, i18n.t("report.care.attention")))
    _overdue(attention, session, end, redaction)
    if redaction != COUNTS:
        _cases(doc.section(text.section_title(5, i18n.t("report.care.cases"))),
               session, start, end, redaction)
    return doc


def _overdue(section: Section, session: Session, end: dt.date, redaction: str) -> None:
    late = [r for r in session.care.reminders(end) if r.kind == OVERDUE]
    if not late:
        section.paragraph(i18n.t("report.care.none_overdue"))
    elif redaction == COUNTS:
        section.paragraph(i18n.t("report.care.overdue_count", n=text.number(len(late))))
    else:
        section.paragraph(i18n.t("report.care.overdue_names", n=text.number(len(late)),
                                 names=text.join([i18n.t("report.care.overdue_by", who=r.who,
                                                         days=r.days) for r in late])))


def _cases(section: Section, session: Session, start: dt.date, end: dt.date,
           redaction: str) -> None:
    care = session.care
    first, last = start.isoformat(), end.isoformat()
    visited: dict[str, int] = {}
    for visit in care.visits_between(start, end):
        visited[visit["case"]] = visited.get(visit["case"], 0) + 1
    headers = [i18n.t("report.col.no"), i18n.t("report.col.name"),
               CARE.field("hardship").label, CARE.field("severity").label,
               CARE.field("responsible").label, i18n.t("report.col.visits"),
               CARE.field("next_visit").label, CARE.field("status").label]
    if CARE.shows("measures", redaction):
        headers.append(CARE.field("measures").label)
    table = Table(i18n.t("report.care.table.cases"), headers)
    rows = [r for r in care.cases(CareQuery(status=""))
            if r.doc.get("opened_on", "") <= last
            and (not r.doc.get("closed_on") or r.doc["closed_on"] >= first)]
    for n, row in enumerate(rows, start=1):
        doc = row.doc
        cells = [n, row.who, CARE.field("hardship").display(doc["hardship"]),
                 CARE.field("severity").display(doc["severity"]),
                 person_name(session, doc.get("responsible", "")), visited.get(row.id, 0),
                 CARE.field("next_visit").display(doc.get("next_visit", ""))
                 if doc.get("status") == FOLLOWING else "",
                 CARE.field("status").display(doc["status"])]
        if CARE.shows("measures", redaction):
            cells.append(doc.get("measures", ""))
        table.rows.append(cells)
    if rows:
        section.add(table)
    else:
        section.paragraph(i18n.t("report.none"))
