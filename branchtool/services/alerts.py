"""Early warnings: raising alerts from the rules, listing and handling them.

Check-in rules (fever, symptoms, risk travel, contact with a case) are applied
inside the very batch that writes the check-in (this service listens to the
health service), so a mark and its alert are one journal frame. The rules about
time (missing check-ins, missing several days in a row, an observation ending
today) are applied by ``refresh``, which the app runs when the day's dashboard
opens and the CLI before a summary.

An alert is an episode: the same rule holding for the same person on the next
day extends it (``last``), so a three-day fever is one alert "since" its first
day. Correcting a check-in takes the day back out of an open episode; an
episode left with no day is ``resolved``. Handled alerts never change.

Every alert stays in ``alerts`` (the history); the open ones are also kept in
``alerts_open``, which is all the dashboard and the open list read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.alert import ALERT, HANDLED, OPEN, RESOLVED
from branchtool.records.fields import InvalidRecord
from branchtool.records.person import ACTIVE
from branchtool.services import health_rules as rules
from branchtool.services.contacts import ContactService
from branchtool.services.health import HealthService
from branchtool.services.query import where
from branchtool.services.roster import RosterService
from branchtool.services.watch import Clock, Named, StoreLike, local_now, stamp

ALERTS = "alerts"
# The open alerts again, so that the dashboard reads a few documents, not a
# year of history; written in the same frame as every change to ``alerts``.
OPEN_ALERTS = "alerts_open"
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class AlertView:
    """An alert as a list shows it: who, why, since when. The alerts of one
    person that start on the same day (a fever and symptoms) are one view,
    listing every reason; handling it handles them all (``ids``)."""

    id: str
    rule: str
    who: str
    why: str
    since: str  # as the current language writes the day
    status: str
    doc: dict[str, Any]
    ids: tuple[str, ...] = ()


class AlertService:
    _part = Named(ALERTS)
    _open = Named(OPEN_ALERTS)

    def __init__(self, store: StoreLike, roster: RosterService, health: HealthService,
                 contacts: ContactService, *, now: Clock = local_now) -> None:
        self._store = store
        self._roster = roster
        self._health = health
        self._contacts = contacts
        self._now = now
        health.listeners.append(self.on_checkin)

    def _write(self, alert_id: str | None, doc: dict[str, Any]) -> str:
        """Insert (``alert_id`` None) or update an alert in the history and
        keep the open copy in step (both in the caller's frame)."""
        with self._store.batch():
            if alert_id is None:
                alert_id = self._part.insert(doc)
                merged = {**doc, "id": alert_id}
            else:
                merged = self._part.update(alert_id, doc)
            if merged["status"] == OPEN:
                self._open.upsert(merged)
            elif alert_id in self._open:
                self._open.remove(alert_id)
        return alert_id

    # -- reading ---------------------------------------------------------------------
    def get(self, alert_id: str) -> dict[str, Any] | None:
        return self._part.get(alert_id)

    def open(self) -> list[dict[str, Any]]:
        """Alerts not yet handled, the oldest first, in rule order within a day."""
        return sorted(map(dict, self._open.view()), key=_order)

    def views(self, *, everything: bool = False) -> list[AlertView]:
        """Open alerts (or every alert) as a list shows them: the latest day
        first, in rule order, then by name."""
        alerts = self._part.view() if everything else self._open.view()
        views = [self._joined(group) for group in _by_person_and_day(alerts)]
        views.sort(key=lambda v: (v.doc["since"], -rules.RULES.index(v.rule), v.who),
                   reverse=True)
        return views

    def count_open(self, through: dt.date | None = None) -> int:
        """Open alerts to handle: one per person and day (``through``: only
        those raised by the end of that day)."""
        found = self._open.view() if through is None \
            else self._open.search(where("since") <= through.isoformat())
        return len(_by_person_and_day(found))

    def view_of(self, alert_id: str) -> AlertView | None:
        """The view (with the person's other alerts of that day) that holds
        the alert ``alert_id``."""
        alert = self._part.first(where("id") == alert_id)
        if alert is None:
            return None
        subject = self._part.search(where("person") == alert["person"]) if alert.get("person") \
            else self._part.search(where("contact") == alert.get("contact", ""))
        for group in _by_person_and_day(subject):
            if any(a["id"] == alert_id for a in group):
                return self._joined(group)
        return self.view(alert)

    def _joined(self, group: list[Mapping[str, Any]]) -> AlertView:
        first = self.view(group[0])
        if len(group) == 1:
            return dataclasses.replace(first, ids=(first.id,))
        why = i18n.t("list.separator").join(self.why(a) for a in group)
        return dataclasses.replace(first, why=why, ids=tuple(a["id"] for a in group))

    def for_person(self, person_id: str) -> list[dict[str, Any]]:
        """A person's alerts, handled ones included, the latest first."""
        found = self._part.search(where("person") == person_id)
        return sorted(map(dict, found), key=_order, reverse=True)

    def all(self) -> list[dict[str, Any]]:
        return sorted(self._part.all(), key=_order)

    def view(self, alert: Mapping[str, Any]) -> AlertView:
        return AlertView(alert["id"], alert["rule"], self.who(alert), self.why(alert),
                         i18n.format_date(dt.date.fromisoformat(alert["since"])),
                         alert["status"], dict(alert))

    def who(self, alert: Mapping[str, Any]) -> str:
        person = self._roster.person(alert.get("person", "")) if alert.get("person") else None
        if person is not None:
            return person["name"]
        contact = self._contacts.get(alert.get("contact", "")) if alert.get("contact") else None
        return self._contacts.name(contact) if contact is not None else ""

    def why(self, alert: Mapping[str, Any]) -> str:
        """The reason in the current language (the rule and its detail)."""
        rule = alert["rule"]
        detail = alert.get("detail", "")
        if rule == rules.FEVER and detail:
            return i18n.t("alert.reason.fever_at", temperature=detail)
        if rule == rules.MISSING:
            days = _days(alert)
            return (i18n.t("alert.reason.missing_days", days=days) if days > 1
                    else i18n.t("alert.reason.missing"))
        if rule == rules.MISSING_STREAK:
            return i18n.t("alert.reason.missing_streak", days=_days(alert))
        if rule == rules.OBSERVATION_ENDS:
            return i18n.t("alert.reason.observation_ends")
        return i18n.t(f"alert.reason.{rule}")

    # -- handling --------------------------------------------------------------------
    def handle(self, alert_id: str, note: str) -> dict[str, Any]:
        """Mark an alert handled with a note on what was done; it stays in history."""
        alert = self._part.get(alert_id)
        if alert is None:
            raise UserError("storage.record_not_found")
        if alert["status"] != OPEN:
            raise UserError("alert.not_open")
        if not note.strip():
            raise UserError("alert.note_required")
        values, problems = ALERT.clean({"status": HANDLED, "note": note,
                                        "handled_on": self._now().date()},
                                       base={f.key: alert.get(f.key, "") for f in ALERT.fields})
        if problems:
            raise InvalidRecord(problems)
        self._write(alert_id, {**values, "updated_at": stamp(self._now())})
        return self._part.get(alert_id) or {}

    def handle_all(self, alert_ids: tuple[str, ...], note: str) -> None:
        """Handle the alerts of one view with one note, in one frame."""
        still_open = [i for i in alert_ids if (self._part.get(i) or {}).get("status") == OPEN]
        if not still_open:
            raise UserError("alert.not_open")
        with self._store.batch():
            for alert_id in still_open:
                self.handle(alert_id, note)

    # -- raising ---------------------------------------------------------------------
    def on_checkin(self, day: dt.date, person_id: str, old: dict[str, Any] | None,
                   new: dict[str, Any] | None) -> None:
        """The health service's listener: runs inside its write batch."""
        settings = self._health.settings
        held = set(rules.checkin_flags(old, settings))
        holds = rules.checkin_flags(new, settings)
        for rule in holds:
            detail = new.get("temperature", "") if rule == rules.FEVER and new else ""
            self._extend(rule, day, person=person_id, detail=detail)
        for rule in held.difference(holds):
            self._retract(rule, day, person_id)
        if new is not None and old is None:
            self._retract(rules.MISSING, day, person_id)

    def refresh(self, now: dt.datetime | None = None) -> int:
        """Apply the time rules as of ``now`` in one batch: missing check-ins
        of the last days (today's from the deadline on), missing streaks and
        observations ending today. Returns how many alerts were raised."""
        now = now or self._now()
        today = now.date()
        settings = self._health.settings
        window = [today - dt.timedelta(days=n) for n in range(settings.missing_days - 1, -1, -1)]
        # Missing days count from the day the watch began (the first check-in).
        began = self._health.first_day()
        due = [day for day in window if rules.missing_is_due(day, now, settings)
               and began is not None and day >= began]
        for day in due:
            self._health.day(day)  # load the months before the batch
        before = len(self._part)
        people = [p for p in self._roster.people() if p.status == ACTIVE]
        with self._store.batch():
            for day in due:
                entries = self._health.day(day)
                for person in people:
                    if person.id not in entries:
                        self._extend(rules.MISSING, day, person=person.id)
            streak_from = due[-1] - dt.timedelta(days=settings.missing_days - 1) if due else None
            if streak_from is not None and began is not None and streak_from >= began:
                self._raise_streaks(due[-1], people, settings.missing_days)
            for contact in self._contacts.active_on(today):
                if rules.observation_ends_on(contact, today):
                    self._extend(rules.OBSERVATION_ENDS, today, person=contact.get("person", ""),
                                 contact=contact["id"], detail=contact["end_date"])
        return len(self._part) - before

    def _raise_streaks(self, last: dt.date, people: list[Any], needed: int) -> None:
        days = [last - dt.timedelta(days=n) for n in range(needed)]
        entries = [self._health.day(day) for day in days]
        for person in people:
            if all(person.id not in e for e in entries):
                self._extend(rules.MISSING_STREAK, last, person=person.id, since=days[-1])

    def _episodes(self, rule: str, person: str, contact: str) -> list[Mapping[str, Any]]:
        found = self._part.search(
            where("contact") == contact if contact else where("person") == person)
        return sorted((a for a in found if a["rule"] == rule and a["status"] != RESOLVED),
                      key=lambda a: a["id"])

    def _extend(self, rule: str, day: dt.date, *, person: str = "", contact: str = "",
                detail: str = "", since: dt.date | None = None) -> None:
        """Make ``day`` (from ``since``) part of the subject's episode of ``rule``:
        extend the episode it touches, or raise a new alert."""
        first, last = (since or day).isoformat(), day.isoformat()
        for alert in self._episodes(rule, person, contact):
            touches = (dt.date.fromisoformat(alert["since"]) - _ONE_DAY <= day
                       and (since or day) <= dt.date.fromisoformat(alert["last"]) + _ONE_DAY)
            if not touches:
                continue
            changes: dict[str, Any] = {}
            if first < alert["since"]:
                changes["since"] = first
            if last > alert["last"]:
                changes["last"] = last
            if detail and rule == rules.FEVER and _hotter(detail, alert.get("detail", "")):
                changes["detail"] = detail
            if changes:
                self._write(alert["id"], {**changes, "updated_at": stamp(self._now())})
            return
        moment = stamp(self._now())
        self._write(None, {"rule": rule, "person": person, "contact": contact, "since": first,
                           "last": last, "status": OPEN, "handled_on": "", "note": "",
                           "detail": detail, "raised_at": moment, "updated_at": moment})

    def _retract(self, rule: str, day: dt.date, person: str) -> None:
        """Take ``day`` out of the person's open episode of ``rule`` (a
        corrected or late check-in); an episode left empty is resolved."""
        key = day.isoformat()
        for alert in self._episodes(rule, person, ""):
            if alert["status"] != OPEN or not alert["since"] <= key <= alert["last"]:
                continue
            changes: dict[str, Any]
            if alert["since"] == alert["last"]:
                changes = {"status": RESOLVED}
            elif key == alert["last"]:
                changes = {"last": (day - _ONE_DAY).isoformat()}
            elif key == alert["since"]:
                changes = {"since": (day + _ONE_DAY).isoformat()}
            else:
                continue  # a day inside an episode: the episode stands
            self._write(alert["id"], {**changes, "updated_at": stamp(self._now())})


def _by_person_and_day(alerts: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The alerts grouped by who, the day they start and their status, each
    group in rule order."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for alert in sorted(alerts, key=_order):
        subject = alert.get("person") or "contact:" + alert.get("contact", "")
        groups.setdefault((subject, alert["since"], alert["status"]), []).append(alert)
    return list(groups.values())


def _order(alert: Mapping[str, Any]) -> tuple[str, int, str]:
    return alert["since"], rules.RULES.index(alert["rule"]), alert["id"]


def _days(alert: Mapping[str, Any]) -> int:
    return (dt.date.fromisoformat(alert["last"]) - dt.date.fromisoformat(alert["since"])).days + 1


def _hotter(new: str, old: str) -> bool:
    return not old or rules.tenths(new) > rules.tenths(old)

