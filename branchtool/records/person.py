"""A person on the branch roster (党员花名册 and the people the branch looks after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from branchtool.records import checks, dates
from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref

GENDERS = ("male", "female")
EDUCATIONS = ("doctorate", "master", "bachelor", "associate", "secondary", "below")
CATEGORIES = ("staff", "student", "other")
# 政治面貌 and the development stage, in the order a person moves through them.
STAGES = ("masses", "league", "applicant", "activist", "candidate", "probationary", "member")
STATUSES = ("active", "transferred", "left")
ACTIVE = "active"
ARCHIVED = ("transferred", "left")

# The dates of the development process, in the order they must come, each with
# the stage it opens.
STAGE_DATES = (
    ("applied_on", "applicant"),
    ("activist_on", "activist"),
    ("candidate_on", "candidate"),
    ("joined_on", "probationary"),
    ("confirmed_on", "member"),
)
APPLY_AGE = 18

PERSON_FIELDS = (
    FieldDef("name", required=True, width=8, priority=100, max_length=40),
    FieldDef("gender", Kind.CHOICE, choices=GENDERS, width=4, priority=40),
    FieldDef("ethnicity", max_length=20),
    FieldDef("birth_date", Kind.DATE),
    FieldDef("native_place", max_length=40),
    FieldDef("education", Kind.CHOICE, choices=EDUCATIONS),
    FieldDef("id_number", Kind.IDCARD, width=18, priority=10, redact="standard"),
    FieldDef("phone", Kind.PHONE, width=11, priority=30, redact="standard"),
    # 学号 (students) or 工号 (staff): unique where given; surveys that ask for
    # it are matched on it.
    FieldDef("school_number", Kind.CODE, width=12, priority=8, max_length=30,
             redact="standard"),
    FieldDef("category", Kind.CHOICE, required=True, choices=CATEGORIES, priority=60, width=4),
    FieldDef("stage", Kind.CHOICE, required=True, choices=STAGES, width=12, priority=80),
    FieldDef("applied_on", Kind.DATE),
    FieldDef("activist_on", Kind.DATE),
    FieldDef("candidate_on", Kind.DATE),
    FieldDef("joined_on", Kind.DATE, width=14, priority=15),
    FieldDef("confirmed_on", Kind.DATE),
    FieldDef("party_post", max_length=30),
    FieldDef("group", width=14, priority=50, max_length=30),
    FieldDef("unit", width=16, priority=45, max_length=40),
    FieldDef("address", max_length=100, redact="standard"),
    FieldDef("notes", Kind.NOTE, max_length=500, redact="standard"),
    FieldDef("status", Kind.CHOICE, required=True, choices=STATUSES, default=ACTIVE,
             width=6, priority=5),
)


def fill_from_id(values: dict[str, str]) -> None:
    """A valid ID number gives the birth date and gender when they are empty."""
    number = values.get("id_number", "")
    if not number or checks.id_problem(number):
        return
    if not values.get("birth_date"):
        born = checks.id_birth_date(number)
        values["birth_date"] = born.isoformat() if born else ""
    if not values.get("gender"):
        values["gender"] = checks.id_gender(number)


def _label(key: str) -> Ref:
    return Ref(f"person.field.{key}")


def _problem(key: str, field: str, **params: object) -> Problem:
    return Problem(key, field, params, _label(field))


def check_dates(values: dict[str, str]) -> Iterator[Problem]:
    """No date in the future; the development dates in order, after birth."""
    today = dt.date.today().isoformat()
    date_keys = ["birth_date", *(key for key, _ in STAGE_DATES)]
    for key in date_keys:
        if values.get(key) and dates.precedes(today, values[key]):
            yield _problem("person.check.future", key)
    previous = ""
    for key in date_keys:
        value = values.get(key, "")
        if not value:
            continue
        if previous and dates.precedes(value, values[previous]):
            yield _problem("person.check.date_order", key, other=_label(previous))
        previous = key
    born, applied = values.get("birth_date", ""), values.get("applied_on", "")
    if len(born) == len(applied) == 10:
        birth = dt.date.fromisoformat(born)
        try:
            adult = birth.replace(year=birth.year + APPLY_AGE)
        except ValueError:  # born on 29 February
            adult = dt.date(birth.year + APPLY_AGE, 3, 1)
        if dt.date.fromisoformat(applied) < adult:
            yield _problem("person.check.apply_age", "applied_on", age=APPLY_AGE)


def check_stage(values: dict[str, str]) -> Iterator[Problem]:
    """A date of a stage the person has not reached yet is a mistake."""
    stage = values.get("stage", "")
    if stage not in STAGES:
        return
    rank = STAGES.index(stage)
    for key, opens in STAGE_DATES:
        if values.get(key) and STAGES.index(opens) > rank:
            yield _problem("person.check.beyond_stage", key, stage=Ref(f"person.stage.{stage}"))


def check_id_agrees(values: dict[str, str]) -> Iterator[Problem]:
    """Birth date and gender agree with the ID number."""
    number = values.get("id_number", "")
    if not number:
        return
    born = values.get("birth_date", "")
    if born and not born.startswith(checks.id_birth_date(number).isoformat()[: len(born)]):
        yield _problem("person.check.birth_mismatch", "birth_date")
    gender = values.get("gender", "")
    if gender and gender != checks.id_gender(number):
        yield _problem("person.check.gender_mismatch", "gender")


PERSON = RecordDef(
    "person",
    PERSON_FIELDS,
    checks=(check_dates, check_stage, check_id_agrees),
    completions=(fill_from_id,),
)
