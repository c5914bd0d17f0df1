"""先进典型事迹材料: the exemplary-deeds material, made of the deeds marked for
reporting (拟上报) — each deed's title, the members it tells of, its story.
The story is the point of the material, so it is carried at the full and the
standard level; the counts level carries only how many deeds there are."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.records.fieldtypes import split_ids
from branchtool.records.person import PERSON
from branchtool.reports import text
from branchtool.reports.base import COUNTS, check_redaction, new_document, person_name
from branchtool.reports.document import Document, Paragraph, Subheading

if TYPE_CHECKING:
    from branchtool.session import Session

KIND = "deeds"


def _member(session: Session, person_id: str) -> str:
    person = session.roster.person(person_id)
    name = person_name(session, person_id)
    if person is None:
        return name
    details = [d for d in (person["unit"], PERSON.field("stage").display(person["stage"])) if d]
    return i18n.t("report.deeds.member", name=name, details=text.join(details)) \
        if details else name


def build(session: Session, day: dt.date, redaction: str = "standard") -> Document:
    check_redaction(redaction)
    deeds = session.deeds.for_reporting()
    doc = new_document(session, KIND, day)
    if not deeds:
        doc.section(text.section_title(1, i18n.t("report.deeds.overview"))).paragraph(
            i18n.t("report.deeds.none"))
        return doc
    if redaction == COUNTS:
        doc.section(text.section_title(1, i18n.t("report.deeds.overview"))).paragraph(
            i18n.t("report.deeds.count", n=text.number(len(deeds))))
        return doc
    for n, deed in enumerate(deeds, start=1):
        section = doc.section(text.section_title(n, deed["title"]))
        members = [_member(session, pid) for pid in split_ids(deed.get("members", ""))]
        section.add(Subheading(text.join(members)))
        for part in deed.get("narrative", "").split("\n"):
            if part.strip():
                section.add(Paragraph(part.strip()))
    return doc
