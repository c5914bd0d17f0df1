"""Close contacts under observation (密切接触者 / 医学观察 / 居家隔离) and their
daily follow-ups.

A contact is a roster person (the document's ``person`` holds their id) or an
outside person (name, phone, ID number in the record). The observation runs
from ``start_date`` to ``end_date`` inclusive; the end defaults to the
exposure date plus ``OBSERVATION_DAYS``. Extensions are kept in the contact
document's ``extensions`` list, each an ``EXTENSION`` record plus the end it
replaced and the day it was made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from branchtool.records.fields import FieldDef, Kind, Problem, RecordDef, Ref
from branchtool.records.health_fields import TemperatureField

OBSERVATION_DAYS = 14
CONTACT_TYPES = ("close", "secondary", "general")
OBSERVATION_TYPES = ("medical_observation", "home_quarantine", "central_quarantine")
OUTCOMES = ("released", "referred", "confirmed")
FOLLOWUP_STATUSES = ("well", "unwell", "unreached", "lost")
META = ("id", "person", "extensions", "created_at", "updated_at")

CONTACT_FIELDS = (
    FieldDef("name", width=8, priority=100, max_length=40),
    FieldDef("phone", Kind.PHONE, width=11, priority=10, redact="standard"),
    FieldDef("id_number", Kind.IDCARD, redact="standard"),
    FieldDef("relation", max_length=40),
    FieldDef("exposure_date", Kind.DATE, required=True, width=13, priority=60),
    # Describes a patient: withheld from standard bundles.
    FieldDef("source_case", max_length=60, redact="standard"),
    FieldDef("contact_type", Kind.CHOICE, required=True, choices=CONTACT_TYPES,
             default="close", width=6, priority=80),
    FieldDef("observation_type", Kind.CHOICE, required=True, choices=OBSERVATION_TYPES,
             default="medical_observation", width=8, priority=70),
    FieldDef("place", max_length=60, redact="standard"),
    FieldDef("start_date", Kind.DATE, width=13, priority=40),
    FieldDef("end_date", Kind.DATE, width=13, priority=90),
    FieldDef("outcome", Kind.CHOICE, choices=OUTCOMES, width=6, priority=50),
    FieldDef("outcome_date", Kind.DATE),
    FieldDef("note", Kind.NOTE, max_length=300, redact="standard"),
)


def default_end(exposure: dt.date) -> dt.date:
    """The last day of observation: the exposure day plus ``OBSERVATION_DAYS``."""
    return exposure + dt.timedelta(days=OBSERVATION_DAYS)


def fill_dates(values: dict[str, str]) -> None:
    """Start on the exposure day and end ``OBSERVATION_DAYS`` later unless given."""
    exposure = values.get("exposure_date", "")
    if len(exposure) != 10:
        return
    if not values.get("start_date"):
        values["start_date"] = exposure
    if not values.get("end_date"):
        values["end_date"] = default_end(dt.date.fromisoformat(exposure)).isoformat()


def _problem(key: str, field: str, **params: object) -> Problem:
    return Problem(key, field, params, Ref(f"contact.field.{field}"))


def check_dates(values: dict[str, str]) -> Iterator[Problem]:
    """Full days only; exposure, start, end and outcome in order; an outcome
    and its day go together."""
    for key in ("exposure_date", "start_date", "end_date", "outcome_date"):
        if values.get(key) and len(values[key]) != 10:
            yield _problem("contact.check.full_date", key)
            return
    exposure, start = values.get("exposure_date", ""), values.get("start_date", "")
    end, outcome_on = values.get("end_date", ""), values.get("outcome_date", "")
    if start and exposure and start < exposure:
        yield _problem("contact.check.start_before_exposure", "start_date")
    if end and start and end < start:
        yield _problem("contact.check.end_before_start", "end_date")
    if outcome_on and start and outcome_on < start:
        yield _problem("contact.check.outcome_before_start", "outcome_date")
    if values.get("outcome") and not outcome_on:
        yield _problem("field.required", "outcome_date")
    if outcome_on and not values.get("outcome"):
        yield _problem("field.required", "outcome")


CONTACT = RecordDef("contact", CONTACT_FIELDS, checks=(check_dates,), completions=(fill_dates,))

EXTENSION = RecordDef("extension", (
    FieldDef("end_date", Kind.DATE, required=True),
    FieldDef("reason", Kind.NOTE, required=True, max_length=200, redact="standard"),
))

FOLLOWUP_FIELDS = (
    FieldDef("date", Kind.DATE, required=True, width=13, priority=90),
    FieldDef("status", Kind.CHOICE, required=True, choices=FOLLOWUP_STATUSES, width=14,
             priority=100),
    TemperatureField("temperature", width=6, priority=60),
    FieldDef("note", Kind.NOTE, max_length=200, redact="standard"),
)

FOLLOWUP = RecordDef("followup", FOLLOWUP_FIELDS)


def followup_id(date: str, contact_id: str) -> str:
    return f"{date}:{contact_id}"
