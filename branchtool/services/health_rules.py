"""The early-warning rules (预警规则) and their thresholds, as pure functions.
The rule codes themselves are defined with the alert record.

Each rule answers one question about one person and one day, so its boundary
can be tested on its own: a temperature of 37.3 is a fever and 37.2 is not
(with the default threshold), a check-in made at 23:59 belongs to that day and
one made at 00:00 to the next, an observation's last day is the exposure day
plus 14 and the day after it is over.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from branchtool.records.alert import CASE_CONTACT as CASE_CONTACT
from branchtool.records.alert import CHECKIN_RULES as CHECKIN_RULES
from branchtool.records.alert import FEVER as FEVER
from branchtool.records.alert import MISSING as MISSING
from branchtool.records.alert import MISSING_STREAK as MISSING_STREAK
from branchtool.records.alert import OBSERVATION_ENDS as OBSERVATION_ENDS
from branchtool.records.alert import RISK_TRAVEL as RISK_TRAVEL
from branchtool.records.alert import RULES as RULES
from branchtool.records.alert import SYMPTOM as SYMPTOM
from branchtool.records.checkin import OBSERVATION, QUARANTINE
from branchtool.records.health_fields import tenths

# Temperatures at or above this are kept in the day's figures, so that any
# fever threshold the settings allow can be applied to past days.
WARM_TENTHS = 370
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class HealthSettings:
    """The thresholds of the rules, kept in the vault (``settings`` partition)."""

    fever_threshold: str = "37.3"  # °C; a temperature at or above it is a fever
    missing_days: int = 3  # missing this many days in a row raises its own alert
    deadline: str = "10:00"  # before this time, today's missing check-ins raise nothing

    @property
    def fever_tenths(self) -> int:
        return tenths(self.fever_threshold)

    @property
    def deadline_time(self) -> dt.time:
        hour, minute = self.deadline.split(":")
        return dt.time(int(hour), int(minute))

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> HealthSettings:
        if not doc:
            return cls()
        values = {k: doc[k] for k in ("fever_threshold", "missing_days", "deadline") if k in doc}
        try:
            return cls.parse(values)
        except ValueError:
            return cls()

    @classmethod
    def parse(cls, values: Mapping[str, object]) -> HealthSettings:
        """Settings from typed values; ``ValueError`` names the bad field."""
        base = cls()
        threshold = str(values.get("fever_threshold", base.fever_threshold)).strip()
        try:
            number = Decimal(threshold).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise ValueError("fever_threshold") from None
        if not Decimal("37.0") <= number <= Decimal("38.5"):
            raise ValueError("fever_threshold")
        try:
            days = int(str(values.get("missing_days", base.missing_days)))
        except ValueError:
            raise ValueError("missing_days") from None
        if not 2 <= days <= 14:
            raise ValueError("missing_days")
        deadline = str(values.get("deadline", base.deadline)).strip()
        if not _CLOCK.fullmatch(deadline):
            raise ValueError("deadline")
        return cls(str(number), days, deadline)


# -- one check-in -----------------------------------------------------------------
def is_fever(temperature: str, settings: HealthSettings) -> bool:
    """At or above the threshold; compared in exact tenths of a degree."""
    return bool(temperature) and tenths(temperature) >= settings.fever_tenths


def is_warm(temperature: str) -> bool:
    return bool(temperature) and tenths(temperature) >= WARM_TENTHS


def checkin_flags(doc: Mapping[str, Any] | None, settings: HealthSettings) -> list[str]:
    """The check-in rules that hold for a stored check-in, in rule order."""
    if doc is None:
        return []
    flags = []
    if is_fever(doc.get("temperature", ""), settings):
        flags.append(FEVER)
    if doc.get("symptoms"):
        flags.append(SYMPTOM)
    if doc.get("risk_travel") == "yes":
        flags.append(RISK_TRAVEL)
    if doc.get("case_contact") == "yes":
        flags.append(CASE_CONTACT)
    return flags


def isolation_group(code: str) -> str:
    """``"observation"``, ``"quarantine"`` or ``""`` for an isolation or
    observation type code."""
    if code in OBSERVATION:
        return "observation"
    if code in QUARANTINE:
        return "quarantine"
    return ""


# -- days and times ----------------------------------------------------------------
def day_of(moment: dt.datetime) -> dt.date:
    """The day a check-in made at ``moment`` (local time) counts for: midnight
    starts the next day."""
    return moment.date()


def missing_is_due(day: dt.date, now: dt.datetime, settings: HealthSettings) -> bool:
    """Whether a check-in still missing for ``day`` raises an alert at ``now``:
    any past day, and today from the deadline on."""
    today = now.date()
    if day < today:
        return True
    return day == today and now.time() >= settings.deadline_time


# -- observation --------------------------------------------------------------------
def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if len(value) == 10 else None


def observation_active(contact: Mapping[str, Any], day: dt.date) -> bool:
    """Under observation on ``day``: from the start to the end day inclusive,
    unless an outcome (release, referral, confirmation) came on or before it."""
    start, end = _day(contact.get("start_date", "")), _day(contact.get("end_date", ""))
    if start is None or end is None or not start <= day <= end:
        return False
    outcome_on = _day(contact.get("outcome_date", ""))
    return outcome_on is None or outcome_on > day


def followup_due(contact: Mapping[str, Any], day: dt.date) -> bool:
    """A follow-up is due on ``day``: under observation, and registered
    before that day (from the day after registration; a contact registered
    today with an earlier exposure has missed nothing yet)."""
    registered = _day(str(contact.get("created_at", ""))[:10])
    return observation_active(contact, day) and (registered is None or registered < day)


def observation_ends_on(contact: Mapping[str, Any], day: dt.date) -> bool:
    """``day`` is the last day of a still open observation."""
    return (not contact.get("outcome") and contact.get("end_date") == day.isoformat()
            and observation_active(contact, day))


def release_overdue(contact: Mapping[str, Any], day: dt.date) -> bool:
    """The observation ended before ``day`` and no outcome was recorded."""
    end = _day(contact.get("end_date", ""))
    return not contact.get("outcome") and end is not None and end < day
