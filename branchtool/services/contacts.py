"""Close contacts under observation and their daily follow-ups.

Contacts live in the ``contacts`` partition (a branch has a handful to a few
hundred), follow-ups in ``followups`` under the stable id
``"{date}:{contact}"`` so that recording a day again updates it. Both are
read with TinyDB queries on the partitions; the service keeps no copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from branchtool.errors import UserError
from branchtool.records.contact import (
    CONTACT,
    EXTENSION,
    FOLLOWUP,
    FOLLOWUP_STATUSES,
    OBSERVATION_TYPES,
    OUTCOMES,
    followup_id,
)
from branchtool.records.fields import InvalidRecord, Problem, Ref
from branchtool.services import health_rules as rules
from branchtool.services.query import where
from branchtool.services.watch import (
    Named,
    WatchService,
    as_day,
    not_future,
    stamp,
)

CONTACTS = "contacts"
FOLLOWUPS = "followups"


@dataclass
class Agenda:
    """Today's work on contacts (今日随访)."""

    date: dt.date
    due: list[dict[str, Any]] = field(default_factory=list)  # active, not yet followed up
    done: list[dict[str, Any]] = field(default_factory=list)  # followed up today
    missed_yesterday: list[dict[str, Any]] = field(default_factory=list)
    ending: list[dict[str, Any]] = field(default_factory=list)  # last day of observation
    overdue: list[dict[str, Any]] = field(default_factory=list)  # ended, no outcome yet
    by_type: dict[str, int] = field(default_factory=dict)  # active, per observation type
    by_status: dict[str, int] = field(default_factory=dict)  # today's follow-up statuses


class ContactService(WatchService):
    _contacts = Named(CONTACTS)
    _followups = Named(FOLLOWUPS)

    # -- reading -----------------------------------------------------------------
    def _snapshot(self) -> list[Mapping[str, Any]]:
        """Every contact (the stored documents, read-only), as a list made in
        one step (a worker thread may read while the UI thread writes)."""
        return self._contacts.view()

    def get(self, contact_id: str) -> dict[str, Any] | None:
        return self._contacts.get(contact_id)

    def all(self) -> list[dict[str, Any]]:
        """Every contact, the latest exposure first."""
        return sorted((dict(d) for d in self._snapshot()),
                      key=lambda d: (d["exposure_date"], d["id"]), reverse=True)

    def name(self, contact: Mapping[str, Any]) -> str:
        """The roster name of a roster person, else the name recorded."""
        person = self._roster.person(contact.get("person", "")) if contact.get("person") else None
        return person["name"] if person is not None else contact.get("name", "")

    def for_person(self, person_id: str) -> list[dict[str, Any]]:
        return [dict(d) for d in self._contacts.search(where("person") == person_id)]

    def active_on(self, day: dt.date | str) -> list[dict[str, Any]]:
        """Contacts under observation on ``day``, the earliest end first."""
        when = as_day(day)
        found = [dict(d) for d in self._snapshot() if rules.observation_active(d, when)]
        return sorted(found, key=lambda d: (d["end_date"], self.name(d)))

    def person_isolation(self, day: dt.date | str) -> dict[str, str]:
        """Roster person id -> observation type, for those under observation on ``day``."""
        when = as_day(day)
        return {d["person"]: d["observation_type"] for d in self._snapshot()
                if d.get("person") and rules.observation_active(d, when)}

    def outside_isolation(self, day: dt.date | str) -> list[dict[str, Any]]:
        """Outside people (not on the roster) under observation on ``day``."""
        when = as_day(day)
        return [dict(d) for d in self._snapshot()
                if not d.get("person") and rules.observation_active(d, when)]

    def followups(self, contact_id: str) -> list[dict[str, Any]]:
        """A contact's follow-ups, oldest first."""
        found = self._followups.search(where("contact") == contact_id)
        return [dict(d) for d in sorted(found, key=lambda d: (d["date"], d["id"]))]

    def followup_on(self, contact_id: str, day: dt.date | str) -> dict[str, Any] | None:
        return self._followups.get(followup_id(as_day(day).isoformat(), contact_id))

    def followups_on(self, day: dt.date | str) -> dict[str, Mapping[str, Any]]:
        """Contact id -> that day's follow-up (the stored document, read-only)."""
        found = self._followups.search(where("date") == as_day(day).isoformat())
        return {d["contact"]: d for d in found}

    def agenda(self, day: dt.date | str) -> Agenda:
        when = as_day(day)
        yesterday = when - dt.timedelta(days=1)
        today_done = self.followups_on(when)
        yesterday_done = self.followups_on(yesterday)
        agenda = Agenda(when)
        agenda.by_type = dict.fromkeys(OBSERVATION_TYPES, 0)
        agenda.by_status = dict.fromkeys(FOLLOWUP_STATUSES, 0)
        for doc in sorted(self._snapshot(), key=lambda d: (d["end_date"], d["id"])):
            if rules.observation_active(doc, when):
                agenda.by_type[doc["observation_type"]] += 1
                followup = today_done.get(doc["id"])
                if followup is None:
                    if rules.followup_due(doc, when):
                        agenda.due.append(dict(doc))
                else:
                    agenda.done.append(dict(doc))
                    agenda.by_status[followup["status"]] += 1
                if rules.observation_ends_on(doc, when):
                    agenda.ending.append(dict(doc))
            if rules.followup_due(doc, yesterday) and doc["id"] not in yesterday_done:
                agenda.missed_yesterday.append(dict(doc))
            if rules.release_overdue(doc, when):
                agenda.overdue.append(dict(doc))
        return agenda

    # -- checking and writing ----------------------------------------------------------
    def clean(self, values: Mapping[str, object], *, person_id: str | None = None,
              contact_id: str | None = None) -> tuple[dict[str, str], list[Problem]]:
        """``values`` over the contact ``contact_id`` (or blank), with every problem."""
        base = None
        if contact_id is not None:
            existing = self._require(contact_id)
            base = {f.key: existing.get(f.key, "") for f in CONTACT.fields}
            person_id = existing.get("person") or None
        doc, problems = CONTACT.clean(values, base=base)
        if person_id is not None:
            person = self._roster.person(person_id)
            if person is None:
                raise UserError("storage.record_not_found")
            doc["name"] = person["name"]
            for key in ("phone", "id_number"):  # as the roster has them, unless typed
                doc[key] = doc[key] or person[key] or ""
        elif not doc["name"]:
            problems.insert(0, Problem("field.required", "name", {}, Ref("contact.field.name")))
        if doc["exposure_date"] and doc["exposure_date"] > self._now().date().isoformat():
            problems.append(Problem("contact.check.future_exposure", "exposure_date", {},
                                    Ref("contact.field.exposure_date")))
        return doc, problems

    def add(self, values: Mapping[str, object], *, person_id: str | None = None) -> str:
        """Record a contact: a roster person (``person_id``) or an outside person."""
        doc, problems = self.clean(values, person_id=person_id)
        return self._insert_clean(self._contacts, doc, problems,
                                  person=person_id or "", extensions=[])

    def edit(self, contact_id: str, values: Mapping[str, object]) -> dict[str, Any]:
        doc, problems = self.clean(values, contact_id=contact_id)
        return self._update_clean(self._contacts, contact_id, doc, problems)

    def extend(self, contact_id: str, end_date: dt.date | str, reason: str) -> dict[str, Any]:
        """Move the end of an observation later, keeping the old end and the reason."""
        contact = self._require(contact_id)
        values, problems = EXTENSION.clean({"end_date": end_date, "reason": reason})
        if problems:
            raise InvalidRecord(problems)
        if values["end_date"] <= contact["end_date"]:
            raise UserError("contact.extend.not_later")
        if contact.get("outcome"):
            raise UserError("contact.closed")
        entry = {**values, "previous_end": contact["end_date"],
                 "on": self._now().date().isoformat()}
        changes = {"end_date": values["end_date"],
                   "extensions": [*contact.get("extensions", []), entry],
                   "updated_at": stamp(self._now())}
        self._contacts.update(contact_id, changes)
        self.version += 1
        return self.get(contact_id) or {}

    def close(self, contact_id: str, outcome: str, on: dt.date | str,
              note: str = "") -> dict[str, Any]:
        """End an observation: released (解除观察), referred (转诊) or confirmed (确诊)."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        contact = self._require(contact_id)
        if contact.get("outcome"):
            raise UserError("contact.closed")
        day = as_day(on)
        not_future(day, self._now())
        values: dict[str, object] = {"outcome": outcome, "outcome_date": day.isoformat()}
        if note:
            values["note"] = "\n".join(filter(None, (contact.get("note", ""), note)))
        return self.edit(contact_id, values)

    def follow_up(self, contact_id: str, day: dt.date | str, status: str, *,
                  temperature: object = "", note: str = "") -> dict[str, Any]:
        """Record (or correct) a day's follow-up of an active contact."""
        contact = self._require(contact_id)
        when = as_day(day)
        not_future(when, self._now())
        if not rules.observation_active(contact, when):
            raise UserError("contact.followup.not_active")
        values, problems = FOLLOWUP.clean({"date": when.isoformat(), "status": status,
                                           "temperature": temperature, "note": note})
        if problems:
            raise InvalidRecord(problems)
        doc = {**values, "id": followup_id(values["date"], contact_id), "contact": contact_id,
               "updated_at": stamp(self._now())}
        self._followups.upsert(doc)
        self.version += 1
        return doc

    def remove(self, contact_id: str) -> None:
        """Delete a contact entered by mistake, with its follow-ups (one batch)."""
        self._require(contact_id)
        with self._store.batch():
            for followup in self._followups.search(where("contact") == contact_id):
                self._followups.remove(followup["id"])
            self._contacts.remove(contact_id)
        self.version += 1

    def _require(self, contact_id: str) -> Mapping[str, Any]:
        return self._stored(self._contacts, contact_id)
