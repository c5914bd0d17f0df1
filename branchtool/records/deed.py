"""An exemplary deed (先进典型事迹): the story of one or more members, drafted
here and marked for reporting; the marked ones feed the report to the college
(先进典型事迹材料)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.fieldtypes import RefListField

STATUSES = ("draft", "proposed", "reported")
DRAFT, PROPOSED, REPORTED = STATUSES

DEED_FIELDS = (
    RefListField("members", required=True, max_items=50),
    FieldDef("title", required=True, width=24, priority=100, max_length=60),
    FieldDef("narrative", Kind.NOTE, max_length=10000),
    FieldDef("date", Kind.DATE, required=True, width=14, priority=80),
    FieldDef("status", Kind.CHOICE, required=True, choices=STATUSES, default=DRAFT,
             width=6, priority=90),
)


def check_deed(values: dict[str, str]) -> Iterator[Problem]:
    """Only a written story can be marked for reporting."""
    day = values.get("date", "")
    if day and dates.precedes(dt.date.today().isoformat(), day):
        yield Problem("care.check.future", "date", {}, Ref("deed.field.date"))
    if values.get("status") != DRAFT and not values.get("narrative", "").strip():
        yield Problem("deed.check.narrative_needed", "narrative", {},
                      Ref("deed.field.narrative"))


DEED = RecordDef("deed", DEED_FIELDS, checks=(check_deed,))

DEED_COLUMNS = DEED.view("date", "title", FieldDef("member_names", width=12, priority=70),
                         "status")
