"""The named list of the abnormal on a day (异常人员名单): every person a
branch reported with a fever, symptoms, risk travel or contact, or in
observation or quarantine, by branch, with name, temperature and symptoms —
as far as the branch's redaction level sent them. A branch that sent counts
only is listed with its counts and no names.

Read from the check-ins the office holds for the day (one document per
branch and day, see ``changes``), names from the branch's reported roster, the
fever threshold from the branch's reported settings: the branch's own rules,
as its daily report applies them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from branchtool import i18n, pinyin
from branchtool.office.changes import ReportedRecords
from branchtool.records.checkin import CHECKIN
from branchtool.records.health_fields import tenths
from branchtool.services import health_rules as rules
from branchtool.services.health import SETTINGS_ID

FEVER, SYMPTOM, TRAVEL, CONTACT, ISOLATED = "fever", "symptom", "travel", "contact", "isolated"
ABNORMAL_FIGURES = ("fever", "symptom", "risk", "observation", "quarantine")


@dataclass(frozen=True)
class AbnormalPerson:
    code: str
    branch: str
    name: str
    temperature: str  # as shown: "37.9℃", or ""
    symptoms: str  # the labels, or ""
    reasons: tuple[str, ...]  # FEVER, SYMPTOM, TRAVEL, CONTACT, ISOLATED
    isolation: str  # the label of an isolation or observation, or ""

    def reasons_text(self) -> str:
        """The reasons in words (an isolation by its kind: 居家隔离, 医学观察...)."""
        return i18n.t("office.list_separator").join(
            self.isolation if r == ISOLATED and self.isolation
            else i18n.t(f"office.abnormal.reason.{r}") for r in self.reasons)


@dataclass
class CountsOnly:
    """A branch that sent no names (the counts level): its figures of the day."""

    code: str
    branch: str
    health: dict[str, int]


@dataclass
class AbnormalList:
    day: str
    people: list[AbnormalPerson] = field(default_factory=list)
    counts_only: list[CountsOnly] = field(default_factory=list)


_REASONS = {rules.FEVER: FEVER, rules.SYMPTOM: SYMPTOM, rules.RISK_TRAVEL: TRAVEL,
            rules.CASE_CONTACT: CONTACT}


def _temperature(value: Any) -> str:
    """A reported temperature, or "" for one that is not (nothing to say about it)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        tenths(value)
    except ValueError:
        return ""
    return value


def reasons_of(checkin: dict[str, Any], settings: rules.HealthSettings) -> tuple[str, ...]:
    """The branch's own check-in rules (``checkin_flags``), then an isolation."""
    sane = {**checkin, "temperature": _temperature(checkin.get("temperature"))}
    found = [_REASONS[flag] for flag in rules.checkin_flags(sane, settings)]
    if rules.isolation_group(str(checkin.get("isolation", ""))):
        found.append(ISOLATED)
    return tuple(found)


def _shown(key: str, value: Any) -> str:
    return CHECKIN.field(key).display(value) if isinstance(value, str) and value else ""


def abnormal_on(vault: Any, branches: list[dict[str, Any]], day: dt.date) -> AbnormalList:
    """The list for ``day`` over ``branches`` (the enrolled ones, by code)."""
    key = day.isoformat()
    held = ReportedRecords(vault)
    out = AbnormalList(key)
    for branch in sorted(branches, key=lambda b: b["code"]):
        code = branch["code"]
        arrival = (branch.get("days") or {}).get(key)
        figures = (branch.get("health") or {}).get(key)
        if arrival is None:
            continue  # nothing reported for the day
        flagged = figures is None or any(figures.get(k) for k in ABNORMAL_FIGURES)
        checkins = [c for c in held.bucket(code, "checkins", key).doc["records"].values()
                    if c.get("date") == key] if flagged else []
        if not checkins:
            if figures and flagged:
                out.counts_only.append(CountsOnly(code, branch["name"], dict(figures)))
            continue
        settings = rules.HealthSettings.from_doc(next(
            (s for s in held.latest(code, "watch_settings") if s.get("id") == SETTINGS_ID),
            None))
        names = {p["id"]: str(p.get("name", "")) for p in held.latest(code, "roster")
                 if isinstance(p.get("id"), str)}
        for checkin in checkins:
            reasons = reasons_of(checkin, settings)
            if not reasons:
                continue
            person = str(checkin.get("person", ""))
            out.people.append(AbnormalPerson(
                code, branch["name"], names.get(person) or i18n.t("office.abnormal.unnamed"),
                _shown("temperature", checkin.get("temperature")),
                _shown("symptoms", checkin.get("symptoms")), reasons,
                _shown("isolation", checkin.get("isolation"))
                if ISOLATED in reasons else ""))
    out.people.sort(key=lambda p: (p.code, pinyin.sort_key(p.name, surname=True)))
    return out
