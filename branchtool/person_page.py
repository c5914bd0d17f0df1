"""One person's whole page, beside their tasks, records and deeds: the
check-ins of the last days (with the temperatures for a small chart),
close-contact episodes and their follow-ups, the care cases opened for them
and the visits, the notices relayed to them and what they answered, and the
roster history (when they were added, and every change since, with dates).

Built from the services in one pass (no textual here); each section is a
list of ``Line`` the screen shows as it is. Reading a person with a year of
check-ins touches only the months of the last ``DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from branchtool import i18n
from branchtool.records import dates
from branchtool.records.care import CARE, VISIT
from branchtool.records.checkin import CHECKIN
from branchtool.records.contact import CONTACT, FOLLOWUP
from branchtool.records.notice import RELAY, method_text
from branchtool.records.person import PERSON
from branchtool.services import health_rules as rules

DAYS = 30  # the days of check-ins shown (and charted)
SECTIONS = ("checkins", "contacts", "care", "notices", "roster")


@dataclass(frozen=True)
class Line:
    date: str  # ISO date (or time) the line is about; "" for none
    text: str
    flag: bool = False  # abnormal, overdue or not done: drawn as a warning
    sub: bool = False  # belongs to the line above (a follow-up, a visit)

    def shown(self) -> str:
        when = dates.display(self.date[:10]) if self.date else ""
        lead = "    " if self.sub else ""
        return f"{lead}{when}  {self.text}" if when else f"{lead}{self.text}"


@dataclass
class PersonPage:
    person_id: str
    end: dt.date
    temperatures: list[str]  # DAYS values, oldest first; "" for no check-in or none given
    fever_tenths: int
    sections: dict[str, list[Line]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _choice(record: Any, key: str, value: str) -> str:
    return record.field(key).display(value) if value else ""


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def checkin_lines(session: Any, person_id: str, end: dt.date,
                  days: int = DAYS) -> tuple[list[Line], list[str], int]:
    """The check-ins of the ``days`` days ending with ``end``, latest first,
    and the temperatures oldest first; how many days had one."""
    health = session.health
    settings = health.settings
    history = health.history(person_id, end, days)
    lines = []
    temps = []
    for n, doc in enumerate(history):
        day = end - dt.timedelta(days=days - 1 - n)
        temps.append(doc.get("temperature", "") if doc else "")
        if doc is None:
            lines.append(Line(day.isoformat(), i18n.t("person_page.checkin.none"), flag=True))
            continue
        flags = rules.checkin_flags(doc, settings)
        parts = [i18n.t("person_page.checkin.temp", t=doc["temperature"])
                 if doc.get("temperature") else "",
                 CHECKIN.field("symptoms").display(doc.get("symptoms", "")),
                 _choice(CHECKIN, "location", doc.get("location", "")),
                 doc.get("city", ""),
                 i18n.t("person_page.checkin.risk_travel") if doc.get("risk_travel") == "yes"
                 else "",
                 i18n.t("person_page.checkin.case_contact") if doc.get("case_contact") == "yes"
                 else "",
                 _choice(CHECKIN, "isolation", doc["isolation"])
                 if doc.get("isolation") not in ("", "none") else "",
                 doc.get("note", "")]
        text = _join(*parts) or i18n.t("person_page.checkin.normal")
        if not flags and text != i18n.t("person_page.checkin.normal"):
            text = _join(i18n.t("person_page.checkin.normal"), text)
        lines.append(Line(day.isoformat(), text, flag=bool(flags)))
    lines.reverse()
    return lines, temps, sum(1 for d in history if d is not None)


def contact_lines(session: Any, person_id: str) -> list[Line]:
    """Each close-contact episode, the latest first, with its follow-ups."""
    contacts = session.contacts
    lines = []
    for doc in sorted(contacts.for_person(person_id),
                      key=lambda d: (d["exposure_date"], d["id"]), reverse=True):
        span = i18n.t("person_page.contact.span", start=dates.display(doc.get("start_date", "")),
                      end=dates.display(doc.get("end_date", "")))
        outcome = (_join(_choice(CONTACT, "outcome", doc["outcome"]),
                         dates.display(doc.get("outcome_date", "")))
                   if doc.get("outcome") else i18n.t("person_page.contact.open"))
        lines.append(Line(doc["exposure_date"], _join(
            _choice(CONTACT, "contact_type", doc.get("contact_type", "")),
            _choice(CONTACT, "observation_type", doc.get("observation_type", "")),
            span, outcome, doc.get("place", ""), doc.get("note", "")),
            flag=not doc.get("outcome")))
        for up in reversed(contacts.followups(doc["id"])):
            lines.append(Line(up["date"], _join(
                _choice(FOLLOWUP, "status", up.get("status", "")), up.get("note", "")),
                sub=True))
    return lines


def care_lines(session: Any, person_id: str) -> list[Line]:
    """The care cases opened for the person, the latest first, with visits."""
    care = session.care
    lines = []
    for doc in care.cases_of(person_id):
        lines.append(Line(doc.get("opened_on", ""), _join(
            _choice(CARE, "hardship", doc.get("hardship", "")),
            _choice(CARE, "severity", doc.get("severity", "")),
            _choice(CARE, "status", doc.get("status", "")),
            doc.get("description", "")), flag=doc.get("status") == "following"))
        for visit in care.visits(doc["id"]):
            v = visit.doc
            support = _choice(VISIT, "support", v.get("support", ""))
            if support and v.get("amount"):
                support = f"{support} {VISIT.field('amount').display(v['amount'])}"
            lines.append(Line(v["date"], _join(
                _choice(VISIT, "method", v.get("method", "")), support,
                v.get("findings", "")), sub=True))
    return lines


def notice_lines(session: Any, person_id: str) -> list[Line]:
    """The notices for the person: relayed how and when, and their answer;
    those not relayed to them yet are flagged."""
    lines = []
    for notice, relay in session.notices.for_person(person_id):
        if relay is None or not relay.get("relayed_on"):
            state = i18n.t("person_page.notice.not_relayed")
        else:
            state = _join(i18n.t("person_page.notice.relayed",
                                 on=dates.display(relay["relayed_on"])),
                          method_text(relay),
                          _choice(RELAY, "response", relay.get("response", ""))
                          or i18n.t("person_page.notice.no_response"))
        done = relay is not None and bool(relay.get("relayed_on"))
        lines.append(Line(notice["issued_on"], _join(notice["title"], state), flag=not done))
    return lines


def roster_lines(session: Any, person_id: str) -> list[Line]:
    """When the person was added to the roster, then each change, latest first."""
    roster = session.roster
    person = roster.get(person_id) or {}
    lines = []
    if person.get("created_at"):
        lines.append(Line(_local_day(person["created_at"]), i18n.t("person_page.roster.added")))
    for change in roster.changes(person_id):
        for key, (old, new) in change["fields"].items():
            try:
                fdef = PERSON.field(key)
            except KeyError:
                continue
            lines.append(Line(_local_day(change["time"]), i18n.t(
                "person_page.roster.changed", field=fdef.label,
                old=fdef.display(old) or i18n.t("person_page.roster.blank"),
                new=fdef.display(new) or i18n.t("person_page.roster.blank"))))
    lines.reverse()
    return lines


def _local_day(stamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.date().isoformat()


def build(session: Any, person_id: str, end: dt.date | None = None) -> PersonPage:
    """Everything the page shows of a person beside tasks, records and deeds."""
    last = end or session.health.today()
    checkins, temps, reported = checkin_lines(session, person_id, last)
    page = PersonPage(person_id, last, temps, session.health.settings.fever_tenths)
    page.sections = {
        "checkins": checkins,
        "contacts": contact_lines(session, person_id),
        "care": care_lines(session, person_id),
        "notices": notice_lines(session, person_id),
        "roster": roster_lines(session, person_id),
    }
    page.counts = {key: sum(1 for line in lines if not line.sub)
                   for key, lines in page.sections.items()}
    page.counts["checkins"] = reported
    return page
