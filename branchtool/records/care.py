"""Hardship care (困难帮扶 / 关心关爱): a care case and the visits made for it.

Care details are the most sensitive data in the vault. Only the hardship type
and the severity are ever list columns; the description, the measures, what a
visit found and the follow-up are marked ``redact="standard"`` so that bundles
leave them out unless the user asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from branchtool.records import dates
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.fieldtypes import MoneyField, RefField
from branchtool.records.health_fields import MultiChoiceField, split_codes

HARDSHIPS = ("economic", "illness", "mental", "family", "quarantine", "study", "other")
# In rising order: the list puts the gravest first.
SEVERITIES = ("ordinary", "serious", "extreme")
CASE_STATUSES = ("following", "resolved", "referred")
FOLLOWING = "following"
CATEGORIES = ("student", "staff", "other")  # of a person who is not on the roster
METHODS = ("phone", "wechat", "home", "video")
SUPPORTS = ("goods", "money", "counselling", "study", "other")
SUPPORT_WITH_AMOUNT = ("goods", "money", "other")  # an amount in yuan may go with these

CARE_FIELDS = (
    RefField("person", width=0),  # a roster person, or ...
    FieldDef("name", max_length=40),  # ... the name of someone not on the roster
    FieldDef("category", Kind.CHOICE, choices=CATEGORIES),  # theirs
    # Several at once (经济困难 and 疾病); a record of one code reads as before.
    MultiChoiceField("hardship", required=True, choices=HARDSHIPS, width=12, priority=80),
    FieldDef("severity", Kind.CHOICE, required=True, choices=SEVERITIES, width=8, priority=90),
    FieldDef("description", Kind.NOTE, required=True, max_length=2000, redact="standard"),
    RefField("responsible", required=True),
    FieldDef("measures", Kind.NOTE, max_length=2000, redact="standard"),
    FieldDef("status", Kind.CHOICE, required=True, choices=CASE_STATUSES, default=FOLLOWING,
             width=6, priority=35),
    FieldDef("opened_on", Kind.DATE, required=True),
    FieldDef("next_visit", Kind.DATE),
)

VISIT_FIELDS = (
    FieldDef("date", Kind.DATE, required=True, width=14, priority=90),
    FieldDef("method", Kind.CHOICE, required=True, choices=METHODS, width=6, priority=60),
    RefField("visitor", required=True),
    FieldDef("findings", Kind.NOTE, required=True, max_length=2000, redact="standard"),
    MultiChoiceField("support", choices=SUPPORTS, width=8, priority=70),
    MoneyField("amount", width=12, priority=65),
    FieldDef("follow_up", Kind.NOTE, max_length=1000, redact="standard"),
    FieldDef("next_visit", Kind.DATE),
)


def _problem(record: str, key: str, field: str, **params: object) -> Problem:
    return Problem(key, field, params, Ref(f"{record}.field.{field}"))


def _future(record: str, values: dict[str, str], *keys: str) -> Iterator[Problem]:
    today = dt.date.today().isoformat()
    for key in keys:
        if values.get(key) and dates.precedes(today, values[key]):
            yield _problem(record, "care.check.future", key)


def check_case(values: dict[str, str]) -> Iterator[Problem]:
    """Whom the case is for; a case being followed has its next visit planned,
    not before the case was opened."""
    if not values.get("person") and not values.get("name"):
        yield _problem("care", "care.check.who", "name")
    yield from _future("care", values, "opened_on")
    opened, next_visit = values.get("opened_on", ""), values.get("next_visit", "")
    if opened and next_visit and dates.precedes(next_visit, opened):
        yield Problem("care.check.date_order", "next_visit",
                      {"other": Ref("care.field.opened_on")}, Ref("care.field.next_visit"))
    if values.get("status") == FOLLOWING and not next_visit:
        yield _problem("care", "care.check.next_visit_needed", "next_visit")


def clear_outsider(values: dict[str, str]) -> None:
    """A roster person's name and category come from the roster."""
    if values.get("person"):
        values["name"] = ""
        values["category"] = ""


def amount_support(supports: list[str]) -> str:
    """Which of a visit's supports its amount belongs to: the money, else the
    first that can have an amount ("" when none can)."""
    if "money" in supports:
        return "money"
    return next((s for s in supports if s in SUPPORT_WITH_AMOUNT), "")


def check_visit(values: dict[str, str]) -> Iterator[Problem]:
    """No visit in the future; the next one after this one; an amount only
    with support that can have one, and money support always with one."""
    yield from _future("visit", values, "date")
    day, next_visit = values.get("date", ""), values.get("next_visit", "")
    if day and next_visit and not dates.precedes(day, next_visit):
        yield Problem("care.check.after", "next_visit", {"other": Ref("visit.field.date")},
                      Ref("visit.field.next_visit"))
    support, amount = split_codes(values.get("support", "")), values.get("amount", "")
    if amount and not set(support) & set(SUPPORT_WITH_AMOUNT):
        yield _problem("visit", "care.check.amount_without_support", "amount")
    if "money" in support and not amount:
        yield _problem("visit", "care.check.amount_needed", "amount")


CARE = RecordDef("care", CARE_FIELDS, checks=(check_case,), completions=(clear_outsider,))
VISIT = RecordDef("visit", VISIT_FIELDS, checks=(check_visit,))

# Columns of the lists that are not stored fields: labels from the catalogs,
# text from the services.
CASE_COLUMNS = CARE.view(
    FieldDef("who", width=10, priority=100), "hardship", "severity",
    FieldDef("responsible_name", width=8, priority=40),
    FieldDef("last_visit", Kind.DATE, width=14, priority=60),
    FieldDef("next_visit", Kind.DATE, width=14, priority=70), "status",
)
# A case's own visits (shown with the case's details): what was given.
CASE_VISIT_COLUMNS = VISIT.view(
    "date", "method", FieldDef("visitor_name", width=8, priority=50), "support", "amount",
)
# Every case's visits in one list: who was visited, when, how and by whom;
# what was given to whom stays with each case (the list totals it by type).
VISIT_COLUMNS = VISIT.view(
    "date", FieldDef("who", width=10, priority=100), "method",
    FieldDef("visitor_name", width=8, priority=50),
)
