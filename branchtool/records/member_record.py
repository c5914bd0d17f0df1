"""A members' record entry (党员表现记实): commendation for the outstanding,
criticism or accountability for the rest.

What happened is personnel data: the description is withheld from standard
bundles like care details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.fieldtypes import RefField, RefListField

KINDS = ("praise", "deed", "criticism", "accountability", "other")
COMMENDATION = ("praise", "deed")

RECORD_FIELDS = (
    RefField("member", required=True),
    FieldDef("kind", Kind.CHOICE, required=True, choices=KINDS, width=8, priority=90),
    FieldDef("date", Kind.DATE, required=True, width=14, priority=95),
    FieldDef("description", Kind.NOTE, required=True, max_length=2000, redact="standard"),
    RefListField("tasks", target="task", max_items=50),
    RefField("recorded_by", required=True),
)


def check_record(values: dict[str, str]) -> Iterator[Problem]:
    day = values.get("date", "")
    if day and dates.precedes(dt.date.today().isoformat(), day):
        yield Problem("care.check.future", "date", {}, Ref("member_record.field.date"))


MEMBER_RECORD = RecordDef("member_record", RECORD_FIELDS, checks=(check_record,))

RECORD_COLUMNS = MEMBER_RECORD.view(
    "date", FieldDef("member_name", width=10, priority=100), "kind",
    FieldDef("task_count", width=6, priority=40), FieldDef("recorder_name", width=10, priority=30),
)
