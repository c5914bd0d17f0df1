"""Notices and their relay to every member, with the coverage of each.

Notices live in ``notices`` (held in memory: a branch gets a few a week),
relays in ``relays`` under ``"{notice}:{person}"``. A notice reaches its
audience: the active Party members (正式 and 预备党员) or everyone active on
the roster. Coverage counts only the current audience, so a member who left
stops counting and a new member starts as not yet reached. Coverage reads
``notice_reach`` (who each notice reached, kept with every relay), not the
relays themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord
from branchtool.records.notice import METHODS, NOTICE, RELAY, RESPONSES, relay_id
from branchtool.records.person import ACTIVE
from branchtool.services.query import where
from branchtool.services.roster import Person, RosterQuery
from branchtool.services.watch import (
    Named,
    WatchService,
    as_day,
    not_future,
    stamp,
)

NOTICES = "notices"
RELAYS = "relays"
# Per notice, who was reached, acknowledged and studied (person ids): the
# coverage of the current notices without reading every relay ever made.
# Written in the same frame as the relays it sums up.
REACH = "notice_reach"
MEMBER_STAGES = ("probationary", "member")
# A notice without a deadline counts as current this many days after issue.
CURRENT_DAYS = 30


def reach_doc(notice_id: str, relays: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A notice's ``REACH`` document from its relays (person id -> relay)."""
    reached = sorted(p for p, r in relays.items() if r.get("relayed_on"))
    return {
        "id": notice_id, "reached": reached,
        "acknowledged": sorted(p for p in reached if relays[p].get("response")),
        "studied": sorted(p for p in reached if relays[p].get("response") == "studied"),
    }


@dataclass(frozen=True)
class Coverage:
    notice_id: str
    expected: int
    relayed: int
    acknowledged: int  # acknowledged or studied
    studied: int
    not_reached: list[Person]

    @property
    def share(self) -> float:
        """Relayed / expected, 1.0 for an empty audience."""
        return self.relayed / self.expected if self.expected else 1.0


class NoticeService(WatchService):
    _notices = Named(NOTICES)
    _relays = Named(RELAYS)

    # -- notices -----------------------------------------------------------------------
    def all(self) -> list[dict[str, Any]]:
        """Every notice, the latest first."""
        return _latest_first(self._notices.view())

    def get(self, notice_id: str) -> dict[str, Any] | None:
        return self._notices.get(notice_id)

    def current(self, day: dt.date | str) -> list[dict[str, Any]]:
        """Notices being relayed on ``day``: issued by then, and the deadline
        not passed (without one: issued in the last ``CURRENT_DAYS`` days)."""
        when = as_day(day)
        key = when.isoformat()
        recent = (when - dt.timedelta(days=CURRENT_DAYS)).isoformat()
        issued, deadline = where("issued_on"), where("deadline")
        return _latest_first(self._notices.search(
            (issued <= key) & ((deadline >= key) | ((deadline == "") & (issued > recent)))))

    def clean(self, values: Mapping[str, object], notice_id: str | None = None
              ) -> tuple[dict[str, str], list[Any]]:
        base = None
        if notice_id is not None:
            existing = self._require(notice_id)
            base = {f.key: existing.get(f.key, "") for f in NOTICE.fields}
        return NOTICE.clean(values, base=base)

    def add(self, values: Mapping[str, object]) -> str:
        doc, problems = self.clean(values)
        return self._insert_clean(self._notices, doc, problems)

    def edit(self, notice_id: str, values: Mapping[str, object]) -> dict[str, Any]:
        doc, problems = self.clean(values, notice_id)
        return self._update_clean(self._notices, notice_id, doc, problems)

    def remove(self, notice_id: str) -> None:
        """Delete a notice entered by mistake, with its relays (one batch)."""
        self._require(notice_id)
        with self._store.batch():
            for relay in self._relays.search(where("notice") == notice_id):
                self._relays.remove(relay["id"])
            if notice_id in self._store.partition(REACH):
                self._store.partition(REACH).remove(notice_id)
            self._notices.remove(notice_id)
        self.version += 1

    # -- relays ------------------------------------------------------------------------
    def audience(self, notice_id: str) -> list[Person]:
        """Who the notice must reach, in name order."""
        notice = self._require(notice_id)
        people = self._roster.query(RosterQuery(status=ACTIVE))
        if notice["audience"] == "everyone":
            return list(people)
        return [p for p in people if p["stage"] in MEMBER_STAGES]

    def relays(self, notice_id: str) -> dict[str, Mapping[str, Any]]:
        """Person id -> relay record of a notice (the stored documents, read-only)."""
        return {d["person"]: d for d in self._relays.search(where("notice") == notice_id)}

    def for_person(self, person_id: str
                   ) -> list[tuple[dict[str, Any], Mapping[str, Any] | None]]:
        """The notices a person was relayed, or whose audience they belong
        to, each with its relay to them (``None``: not reached; read-only),
        latest first."""
        person = self._roster.person(person_id)
        relays = {d["notice"]: d for d in self._relays.search(where("person") == person_id)}
        out = []
        for notice in self.all():
            relay = relays.get(notice["id"])
            if relay is None and (person is None or person.status != ACTIVE or (
                    notice["audience"] != "everyone" and person["stage"] not in MEMBER_STAGES)):
                continue
            out.append((notice, relay))
        return out

    def relay(self, notice_id: str, person_ids: Iterable[str], method: str,
              on: dt.date | str, by: str = "", *, method_other: str = "") -> int:
        """Record that the notice was relayed to these people (one batch).
        People already reached keep their first relay. Returns how many were
        newly reached."""
        self._require(notice_id)
        if method not in METHODS:
            raise ValueError(method)
        day = as_day(on)
        not_future(day, self._now())
        values, problems = RELAY.clean({"method": method, "method_other": method_other,
                                        "relayed_on": day, "relayed_by": by})
        if problems:
            raise InvalidRecord(problems)
        values = {k: values[k] for k in ("method", "method_other", "relayed_on", "relayed_by")}
        now = stamp(self._now())

        def reached(person_id: str, old: Mapping[str, Any] | None) -> dict[str, Any] | None:
            if self._roster.person(person_id) is None:
                raise UserError("storage.record_not_found")
            if old is not None and old.get("relayed_on"):
                return None
            return {**{f.key: "" for f in RELAY.fields}, **(old or {}), **values,
                    "id": relay_id(notice_id, person_id), "notice": notice_id,
                    "person": person_id, "updated_at": now}

        return self._write_relays(notice_id, person_ids, reached)

    def _write_relays(self, notice_id: str, person_ids: Iterable[str],
                      change: Callable[[str, Mapping[str, Any] | None], dict[str, Any] | None]
                      ) -> int:
        """Each person's relay as ``change`` makes it from the stored one
        (``None``: left as it is), in one batch with the notice's reach;
        returns how many changed."""
        relays = self.relays(notice_id)
        count = 0
        with self._store.batch():
            for person_id in dict.fromkeys(person_ids):
                doc = change(person_id, relays.get(person_id))
                if doc is None:
                    continue
                self._relays.upsert(doc)
                relays[person_id] = doc
                count += 1
            if count:
                self._sum_up(notice_id, relays)
        self.version += 1
        return count

    def _sum_up(self, notice_id: str, relays: Mapping[str, Mapping[str, Any]]) -> None:
        """Write the notice's reach from its relays (inside the caller's batch)."""
        self._store.partition(REACH).upsert(reach_doc(notice_id, relays))

    def respond(self, notice_id: str, person_id: str, response: str,
                note: str = "") -> dict[str, Any]:
        """The member acknowledged (已阅知) or studied (已学习) the notice
        (today); ``""`` takes the response back."""
        if response not in ("", *RESPONSES):
            raise ValueError(response)
        day = self._now().date().isoformat() if response else ""
        return self._change_relay(notice_id, person_id, {
            "response": response, "responded_on": day,
            "response_note": note if response else ""})

    def respond_many(self, notice_id: str, person_ids: Iterable[str], response: str,
                     note: str = "") -> int:
        """Several members confirmed at once ("these 12 in the group chat"),
        with one note, in one write. Only those relayed to and not yet
        answering count; returns how many."""
        self._require(notice_id)
        if response not in RESPONSES:
            raise ValueError(response)
        clean, problems = RELAY.clean({"response_note": note})
        if problems:
            raise InvalidRecord(problems)
        now = self._now()
        changes = {"response": response, "responded_on": now.date().isoformat(),
                   "response_note": clean["response_note"], "updated_at": stamp(now)}

        def confirmed(_: str, old: Mapping[str, Any] | None) -> dict[str, Any] | None:
            if old is None or not old.get("relayed_on") or old.get("response"):
                return None
            return {**old, **changes}

        return self._write_relays(notice_id, person_ids, confirmed)

    def check_note(self, notice_id: str, person_id: str, note: str) -> dict[str, Any]:
        """A supervision check's note (督导检查) on this member's relay."""
        return self._change_relay(notice_id, person_id, {"check_note": note})

    def _change_relay(self, notice_id: str, person_id: str,
                      values: Mapping[str, object]) -> dict[str, Any]:
        self._require(notice_id)
        if self._roster.person(person_id) is None:
            raise UserError("storage.record_not_found")
        old = self._relays.get(relay_id(notice_id, person_id))
        base = {f.key: (old or {}).get(f.key, "") for f in RELAY.fields}
        clean, problems = RELAY.clean(values, base=base)
        if problems:
            raise InvalidRecord(problems)
        doc = {**(old or {}), **clean, "id": relay_id(notice_id, person_id),
               "notice": notice_id, "person": person_id, "updated_at": stamp(self._now())}
        with self._store.batch():
            self._relays.upsert(doc)
            if "response" in values:
                self._sum_up(notice_id, {**self.relays(notice_id), person_id: doc})
        self.version += 1
        return doc

    def coverage(self, notice_id: str) -> Coverage:
        """How far the notice reached its audience, and who is not reached yet."""
        audience = self.audience(notice_id)
        reach = self._store.partition(REACH).get(notice_id) or {}
        reached = set(reach.get("reached", ()))
        responded = set(reach.get("acknowledged", ()))
        studied = set(reach.get("studied", ()))
        not_reached = [p for p in audience if p.id not in reached]
        inside = [p.id for p in audience if p.id in reached]
        return Coverage(notice_id, len(audience), len(inside),
                        sum(1 for p in inside if p in responded),
                        sum(1 for p in inside if p in studied), not_reached)

    def _require(self, notice_id: str) -> Mapping[str, Any]:
        return self._stored(self._notices, notice_id)

    def filed(self, docs: Iterable[dict[str, Any]]) -> None:
        """Notices written beside the service (the office's, filed by
        ``branchtool.inbox.receive`` in its own journal write): the lists
        that show notices draw again."""
        if any(True for _ in docs):
            self.version += 1


def _latest_first(docs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return sorted(map(dict, docs), key=lambda d: (d["issued_on"], d["id"]), reverse=True)
