"""党员表现记实情况: members' records of a period — entries by kind, each
member's count, and (above the counts level) the entries themselves; what an
entry says is in the report only at the full level."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.records.fieldtypes import split_ids
from branchtool.records.member_record import KINDS, MEMBER_RECORD
from branchtool.reports import text
from branchtool.reports.base import (
    COUNTS,
    check_redaction,
    name_order,
    new_document,
    person_name,
)
from branchtool.reports.document import Document, Table

if TYPE_CHECKING:
    from branchtool.session import Session

KIND = "records"


def build(session: Session, start: dt.date, end: dt.date,
          redaction: str = "standard") -> Document:
    check_redaction(redaction)
    summary = session.member_records.summary(start, end)
    doc = new_document(session, KIND, end,
                       subtitle=i18n.t("report.records.subtitle", period=text.period(start, end)))
    kind = MEMBER_RECORD.field("kind")
    total = sum(summary.by_kind.values())
    overview = doc.section(text.section_title(1, i18n.t("report.records.overview")))
    if not total:
        overview.paragraph(i18n.t("report.records.none"))
        return doc
    overview.paragraph(i18n.t(
        "report.records.totals", total=text.number(total),
        kinds=text.join([i18n.t("report.records.kind_count", kind=kind.choice_label(k),
                                n=text.number(summary.by_kind.get(k, 0))) for k in KINDS]),
        members=text.number(len(summary.by_member))))
    overview.add(Table(i18n.t("report.records.table.kinds"),
                       [kind.label, i18n.t("report.col.entries")],
                       [[kind.choice_label(k), summary.by_kind.get(k, 0)] for k in KINDS]))
    if redaction == COUNTS:
        return doc
    members = doc.section(text.section_title(2, i18n.t("report.records.members")))
    table = Table(i18n.t("report.records.table.members"),
                  [i18n.t("report.col.name"), *[kind.choice_label(k) for k in KINDS]])
    for pid in name_order(session, list(summary.by_member)):
        counts = summary.by_member[pid]
        table.rows.append([person_name(session, pid), *[counts.get(k, 0) for k in KINDS]])
    members.add(table)
    entries = doc.section(text.section_title(3, i18n.t("report.records.entries")))
    headers = [MEMBER_RECORD.field("date").label, i18n.t("report.col.name"), kind.label,
               i18n.t("report.col.tasks"), MEMBER_RECORD.field("recorded_by").label]
    if MEMBER_RECORD.shows("description", redaction):
        headers.append(MEMBER_RECORD.field("description").label)
    table = Table(i18n.t("report.records.table.entries"), headers)
    for entry in summary.entries:
        cells = [MEMBER_RECORD.field("date").display(entry["date"]),
                 person_name(session, entry["member"]), kind.choice_label(entry["kind"]),
                 len(split_ids(entry.get("tasks", ""))),
                 person_name(session, entry.get("recorded_by", ""))]
        if MEMBER_RECORD.shows("description", redaction):
            cells.append(entry.get("description", ""))
        table.rows.append(cells)
    entries.add(table)
    return doc
