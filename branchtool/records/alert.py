"""An early-warning alert (预警): who, why, since when, and how it was handled.

One alert is one episode of one rule for one subject: a fever on three days in
a row is one alert from the first day to the last. Alerts stay in the
``alerts`` partition after they are handled (the history the office sees).
The subject is a roster person (``person``) and, for observations, the
contact record (``contact``; an outside person has no ``person``).
"""

from __future__ import annotations

from branchtool.records.fields import FieldDef, Kind, RecordDef

# The rules, in the order an alert list shows their reasons.
FEVER, SYMPTOM, RISK_TRAVEL, CASE_CONTACT = "fever", "symptom", "risk_travel", "case_contact"
MISSING, MISSING_STREAK, OBSERVATION_ENDS = "missing", "missing_streak", "observation_ends"
CHECKIN_RULES = (FEVER, SYMPTOM, RISK_TRAVEL, CASE_CONTACT)
RULES = (*CHECKIN_RULES, MISSING, MISSING_STREAK, OBSERVATION_ENDS)
OPEN, HANDLED, RESOLVED = "open", "handled", "resolved"
STATUSES = (OPEN, HANDLED, RESOLVED)
META = ("id", "person", "contact", "detail", "raised_at", "updated_at")

ALERT = RecordDef("alert", (
    FieldDef("rule", Kind.CHOICE, required=True, choices=RULES, width=12, priority=90),
    FieldDef("since", Kind.DATE, required=True, width=13, priority=80),
    FieldDef("last", Kind.DATE, required=True, width=13, priority=40),
    FieldDef("status", Kind.CHOICE, required=True, choices=STATUSES, default=OPEN, width=6,
             priority=70),
    FieldDef("handled_on", Kind.DATE, width=13, priority=20),
    # How the secretary handled it; may say things about the person's health.
    FieldDef("note", Kind.NOTE, max_length=300, redact="standard"),
))
