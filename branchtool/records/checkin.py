"""A daily health check-in (每日健康打卡): one per person per day.

Stored in the monthly partition ``checkins/YYYY-MM`` under the stable id
``"{date}:{person}"``, so entering the same person's day again updates it.
Only non-empty values are stored (a month of 3,000 people is 90,000
documents; most say "normal" in a few fields), ``expand`` fills the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.health_fields import MultiChoiceField, TemperatureField, split_codes

SYMPTOMS = ("fever", "dry_cough", "fatigue", "sore_throat", "diarrhea", "dyspnea", "other")
LOCATIONS = ("campus", "home")
YES_NO = ("no", "yes")
ISOLATIONS = ("none", "home_quarantine", "central_quarantine", "medical_observation",
              "home_monitoring")
QUARANTINE = ("home_quarantine", "central_quarantine")
# Watched, not confined: medical observation and 居家健康监测.
OBSERVATION = ("medical_observation", "home_monitoring")
SOURCES = ("self", "proxy", "import")
# Document keys that are not fields of the definition.
META = ("id", "person", "at", "updated_at")

CHECKIN_FIELDS = (
    FieldDef("date", Kind.DATE, required=True, width=13, priority=90),
    TemperatureField("temperature", width=6, priority=80),
    MultiChoiceField("symptoms", choices=SYMPTOMS, width=12, priority=70),
    # Free text about a person's health: withheld from standard bundles.
    FieldDef("symptom_other", Kind.NOTE, max_length=100, redact="standard"),
    FieldDef("location", Kind.CHOICE, choices=LOCATIONS, width=4, priority=40),
    FieldDef("province", max_length=20),
    FieldDef("city", max_length=20, width=8, priority=30),
    # Where the person is, as they wrote it ("广东省-广州市-天河区", "学校东区宿舍"):
    # province and city are taken from it where they can be.
    FieldDef("place", Kind.NOTE, max_length=80, redact="standard"),
    FieldDef("risk_travel", Kind.CHOICE, choices=YES_NO, width=4, priority=50),
    FieldDef("case_contact", Kind.CHOICE, choices=YES_NO, width=4, priority=50),
    FieldDef("isolation", Kind.CHOICE, choices=ISOLATIONS, default="none", width=8,
             priority=60),
    FieldDef("source", Kind.CHOICE, required=True, choices=SOURCES, default="proxy", width=4,
             priority=20),
    FieldDef("note", Kind.NOTE, max_length=200, redact="standard"),
)


def _problem(key: str, field: str) -> Problem:
    return Problem(key, field, {}, Ref(f"checkin.field.{field}"))


def check_details(values: dict[str, str]) -> Iterator[Problem]:
    """"Other" symptoms need words; being at home needs the province. A
    survey's answers are kept as the person gave them (an imported "在家"
    without a province is still the answer they gave)."""
    if values.get("source") == "import":
        return
    if "other" in split_codes(values.get("symptoms", "")) and not values.get("symptom_other"):
        yield _problem("checkin.check.other_needs_text", "symptom_other")
    if values.get("location") == "home" and not values.get("province"):
        yield _problem("checkin.check.home_needs_province", "province")


def drop_other_text(values: dict[str, str]) -> None:
    """No "other" symptom, no text about it (a form may leave it behind)."""
    if "other" not in split_codes(values.get("symptoms", "")):
        values["symptom_other"] = ""


CHECKIN = RecordDef("checkin", CHECKIN_FIELDS, checks=(check_details,),
                    completions=(drop_other_text,))


def checkin_id(date: str, person_id: str) -> str:
    return f"{date}:{person_id}"


def partition_name(date: str) -> str:
    """``checkins/2026-11`` for any day of November 2026."""
    return f"checkins/{date[:7]}"


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as stored: empty values left out."""
    return {k: v for k, v in doc.items() if v != ""}


_BLANK = CHECKIN.blank()


def expand(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document with every field present (blank where not stored)."""
    return {**_BLANK, **doc}
