"""What the report modules share: a new document headed for the branch, who a
person is in a report, and the redaction levels a report honours.

A report shows the same figures at every level; what changes is who is named:
- ``full``: names, and the notes a secretary wrote (other symptoms, care
  measures, what a member's record says);
- ``standard`` (the default): names, but none of the fields the record
  definitions withhold from standard bundles;
- ``counts``: no names at all, only figures (what a counts-only bundle carries).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from branchtool import i18n
from branchtool.records.person import PERSON
from branchtool.records.redaction import (
    COUNTS,
    DEFAULT_REDACTION,
    FULL,
    REDACTIONS,
    STANDARD,
    check_redaction,
)
from branchtool.reports.document import Document

if TYPE_CHECKING:
    from branchtool.session import Session

__all__ = ["COUNTS", "DEFAULT_REDACTION", "FULL", "REDACTIONS", "STANDARD", "check_redaction",
           "names", "new_document"]



def new_document(session: Session, kind: str, day: dt.date, *, number: str = "",
                 subtitle: str = "", title_key: str = "") -> Document:
    info = session.info()
    return Document(kind=kind, title=i18n.t(title_key or f"report.{kind}.title"),
                    issuer=str(info.get("branch_name", "")), date=day, number=number,
                    subtitle=subtitle)


def person_name(session: Session, person_id: str) -> str:
    from branchtool.services.book import person_name as book_name

    return book_name(session.roster, person_id)


def names(session: Session, person_ids: list[str]) -> list[str]:
    return [person_name(session, pid) for pid in person_ids]


def name_order(session: Session, person_ids: list[str]) -> list[str]:
    """The ids in roster (pinyin) order; people no longer on the roster last."""
    def key(pid: str) -> tuple[int, str]:
        person = session.roster.person(pid)
        return (0, person.name_key) if person else (1, pid)

    return sorted(person_ids, key=key)


def category(session: Session, person_id: str) -> str:
    person = session.roster.person(person_id)
    return PERSON.field("category").choice_label(person["category"]) if person else ""


def unit(session: Session, person_id: str) -> str:
    person = session.roster.person(person_id)
    return person["unit"] if person else ""


def none_text() -> str:
    return i18n.t("report.none")
