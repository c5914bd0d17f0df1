"""The roster: everyone the branch keeps a record of.

The roster is read as ``Person`` entries: each the partition's stored
document (read-only, not a copy) with a precomputed search key (name,
pinyin, ID number, phone) and sort keys, so a keystroke filters 30,000
people in a few milliseconds. ID and school numbers are looked up with
TinyDB equality queries (the store's index). Writes go to the vault's
``roster`` partition first; the entries change only after the write was
acknowledged.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol

from branchtool import i18n, pinyin
from branchtool.errors import UserError
from branchtool.records.fields import (
    FieldDef,
    InvalidRecord,
    Kind,
    Problem,
    Ref,
    normalize_code,
)
from branchtool.records.person import ACTIVE, ARCHIVED, PERSON
from branchtool.records.views import ListView
from branchtool.services.query import where

PARTITION = "roster"
# What changed in a person's record, and when (the person page's roster history).
CHANGES = "roster_changes"
META_FIELDS = ("id", "created_at", "updated_at")
# Status filter values besides the status codes themselves.
# The roster list: the person record's own columns (FieldDef width and priority).
ROSTER_VIEW = ListView(PERSON, PERSON.columns)

ALL_STATUSES = ""
ARCHIVED_STATUSES = "archived"
# Versions are unique across service instances, so that a plan made before a
# lock is not taken for one made on the roster reloaded after it.
_VERSIONS = itertools.count(1)


class PartitionLike(Protocol):
    def view(self) -> list[Mapping[str, Any]]: ...
    def first(self, query: Any) -> Mapping[str, Any] | None: ...
    def insert(self, doc: dict[str, Any]) -> str: ...
    def update(self, record_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...
    def remove(self, record_id: str) -> None: ...


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Person:
    """One person as the roster holds them in memory: the stored document plus
    the keys that make searching and sorting cheap."""

    __slots__ = ("_cells", "_cells_lang", "doc", "id", "name_key", "search")

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.id: str = doc["id"]
        self.doc = doc
        name = doc.get("name", "")
        self.search = "\x1f".join(
            (name.lower(), pinyin.initials(name), pinyin.spelled(name),
             doc.get("id_number", "").lower(), doc.get("phone", ""),
             doc.get("school_number", "").lower())
        )
        self.name_key = pinyin.sort_key(name, surname=True)
        self._cells: dict[str, str] = {}
        self._cells_lang = ""

    def __getitem__(self, key: str) -> str:
        return self.doc.get(key, "")

    @property
    def status(self) -> str:
        return self.doc.get("status", ACTIVE)

    @property
    def muted(self) -> bool:
        """Archived people are shown dimmed where they are shown at all."""
        return self.status != ACTIVE

    def cell(self, key: str) -> str:
        """A column's text in the current language (cached per language)."""
        lang = i18n.language()
        if self._cells_lang != lang:
            self._cells = {}
            self._cells_lang = lang
        text = self._cells.get(key)
        if text is None:
            text = self._cells[key] = ROSTER_VIEW.cell(self, key)
        return text


@dataclass(frozen=True)
class RosterQuery:
    """What the list shows: a search text and filters, in an order."""

    text: str = ""
    category: str = ""
    stage: str = ""
    group: str = ""
    unit: str = ""  # 班级或部门
    status: str = ACTIVE  # a status code, ARCHIVED_STATUSES, or ALL_STATUSES
    sort: str = "name"
    descending: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self.text.lower().split())


def _sort_key(fdef: FieldDef) -> Callable[[Person], Any]:
    key = fdef.key
    if key == "name":
        return lambda p: p.name_key
    if fdef.kind is Kind.CHOICE:
        order = {code: i for i, code in enumerate(fdef.choices)}
        return lambda p: order.get(p[key], len(order))
    if fdef.kind in (Kind.TEXT, Kind.NOTE):
        return lambda p: pinyin.sort_key(p[key])
    return lambda p: p[key]


class RosterService:
    def __init__(
        self,
        partition: PartitionLike,
        batch: Callable[[], AbstractContextManager[Any]],
        *,
        now: Callable[[], str] = _utc_now,
        changes: Any = None,
    ) -> None:
        self._part = partition
        self._log = changes  # a partition of change records, or None (not kept)
        self._batch = batch
        self._now = now
        self._people: dict[str, Person] = {}
        self.version = next(_VERSIONS)  # changes whenever the roster does
        self._orders: dict[tuple[str, bool], list[Person]] = {}
        self._last: tuple[RosterQuery, list[Person]] | None = None
        self._counts: dict[str, int] | None = None
        for doc in partition.view():
            self._people[doc["id"]] = Person(doc)

    # -- reading -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._people)

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._people

    def get(self, person_id: str) -> dict[str, Any] | None:
        person = self._people.get(person_id)
        return None if person is None else dict(person.doc)

    def person(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

    def people(self) -> Iterator[Person]:
        return iter(self._people.values())

    def find_id_number(self, id_number: str) -> str | None:
        return self._holder("id_number", id_number.strip().upper())

    def find_school_number(self, number: str) -> str | None:
        """The person with this 学号/工号 (written any way ``normalize_code`` reads)."""
        return self._holder("school_number", normalize_code(number)) if number else None

    def _holder(self, key: str, value: str) -> str | None:
        doc = self._part.first(where(key) == value) if value else None
        return None if doc is None else doc["id"]  # type: ignore[no-any-return]

    def groups(self) -> list[str]:
        """The party groups in use, in pinyin order."""
        names = {p["group"] for p in self._people.values() if p["group"]}
        return sorted(names, key=pinyin.sort_key)

    def units(self) -> list[str]:
        """The classes and departments in use (班级或部门), in pinyin order."""
        names = {p["unit"] for p in self._people.values() if p["unit"]}
        return sorted(names, key=pinyin.sort_key)

    def count(self, status: str = ACTIVE) -> int:
        """How many people have ``status`` (or a status filter value)."""
        if self._counts is None:
            counts: dict[str, int] = {}
            for p in self._people.values():
                counts[p.status] = counts.get(p.status, 0) + 1
            self._counts = counts
        if status == ALL_STATUSES:
            return len(self._people)
        if status == ARCHIVED_STATUSES:
            return sum(self._counts.get(s, 0) for s in ARCHIVED)
        return self._counts.get(status, 0)

    def query(self, q: RosterQuery) -> list[Person]:
        """The people ``q`` selects, in its order. Typing more of a search text
        narrows the previous result instead of scanning everyone again."""
        last = self._last
        narrower = (
            last is not None
            and replace(last[0], text="") == replace(q, text="")
            and q.text.lower().startswith(last[0].text.lower())
        )
        rows = last[1] if narrower and last is not None else self._filtered(q)
        for term in q.terms:
            rows = [p for p in rows if term in p.search]
        self._last = (q, rows)
        return rows

    def _filtered(self, q: RosterQuery) -> list[Person]:
        rows = self._ordered(q.sort, q.descending)
        if q.status != ALL_STATUSES:
            rows = [p for p in rows if _status_matches(p.status, q.status)]
        for key in ("category", "stage", "group", "unit"):
            wanted = getattr(q, key)
            if wanted:
                rows = [p for p in rows if p.doc.get(key) == wanted]
        return rows

    def _ordered(self, sort: str, descending: bool) -> list[Person]:
        cached = self._orders.get((sort, descending))
        if cached is None:
            key = _sort_key(PERSON.field(sort))
            filled = [p for p in self._people.values() if p[sort] or sort == "name"]
            empty = [p for p in self._people.values() if not (p[sort] or sort == "name")]
            filled.sort(key=lambda p: p.name_key)  # ties in name order (sort is stable)
            filled.sort(key=key, reverse=descending)
            empty.sort(key=lambda p: p.name_key)
            cached = self._orders[(sort, descending)] = filled + empty
        return cached

    # -- validating --------------------------------------------------------
    def check(self, values: Mapping[str, object], person_id: str | None = None) -> list[Problem]:
        """Every problem ``values`` would have as the person ``person_id``
        (``None``: a new person). Used by forms before saving."""
        return self.clean(values, person_id)[1]

    def clean(
        self, values: Mapping[str, object], person_id: str | None = None
    ) -> tuple[dict[str, str], list[Problem]]:
        """``values`` parsed over the person ``person_id`` (or a blank record),
        with every problem, a duplicate ID number included."""
        base = None
        if person_id is not None:
            person = self._require(person_id)
            base = {f.key: person[f.key] for f in PERSON.fields}
        doc, problems = PERSON.clean(values, base=base)
        for key in ("id_number", "school_number"):
            holder = self._holder(key, doc[key])
            if holder is not None and holder != person_id:
                problems.append(Problem("roster.duplicate_id", key, {},
                                        Ref(f"person.field.{key}")))
        return doc, problems

    # -- writing -----------------------------------------------------------
    def add(self, values: Mapping[str, object]) -> str:
        """Add a person; raises ``InvalidRecord`` listing what is wrong."""
        doc, problems = self.clean(values, None)
        if problems:
            raise InvalidRecord(problems)
        now = self._now()
        doc.update(created_at=now, updated_at=now)
        doc["id"] = self._part.insert(doc)
        self._remember(doc)
        return doc["id"]

    def edit(self, person_id: str, values: Mapping[str, object]) -> dict[str, Any]:
        """Change the fields given in ``values``; the others stay."""
        doc, problems = self.clean(values, person_id)
        if problems:
            raise InvalidRecord(problems)
        doc["updated_at"] = self._now()
        old = self._require(person_id).doc
        with self._batch():
            self._log_change(old, doc)
            new = self._part.update(person_id, doc)
        self._remember(new)
        return self.get(person_id) or {}

    def archive(self, person_id: str, status: str) -> None:
        """Take a person off the daily lists (transferred out, or left the
        Party); the record and its history stay."""
        if status not in ARCHIVED:
            raise ValueError(f"not an archive status: {status!r}")
        self._set_status(person_id, status)

    def restore(self, person_id: str) -> None:
        self._set_status(person_id, ACTIVE)

    def _set_status(self, person_id: str, status: str) -> None:
        old = self._require(person_id).doc
        changes = {"status": status, "updated_at": self._now()}
        with self._batch():
            self._log_change(old, changes)
            new = self._part.update(person_id, changes)
        self._remember(new)

    def delete(self, person_id: str) -> None:
        """Remove a person for good (a record entered by mistake)."""
        self._require(person_id)
        self._part.remove(person_id)
        self._forget(person_id)

    def write_batch(self, inserts: Iterable[dict[str, Any]],
                    updates: Iterable[tuple[str, dict[str, Any]]],
                    progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Insert and update clean documents as ONE journal batch: all or nothing.
        The in-memory roster changes only once the batch is written."""
        now = self._now()
        written: list[dict[str, Any]] = []
        done = 0
        with self._batch():
            for doc in inserts:
                new = {**doc, "created_at": now, "updated_at": now}
                new["id"] = self._part.insert(new)
                written.append(new)
                done += 1
                if progress and done % 200 == 0:
                    progress(done)
            added = done
            for person_id, doc in updates:
                old = self._people.get(person_id)
                if old is not None:
                    self._log_change(old.doc, {**doc, "updated_at": now})
                written.append(self._part.update(person_id, {**doc, "updated_at": now}))
                done += 1
                if progress and done % 200 == 0:
                    progress(done)
        for doc in written:
            self._remember(doc)
        if progress:
            progress(done)
        return added, done - added

    def _log_change(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """Keep what a write changes (inside the caller's batch): field ->
        [old, new], with the time. Nothing is kept when nothing changed."""
        if self._log is None:
            return
        fields = {f.key: [old.get(f.key, ""), new[f.key]] for f in PERSON.fields
                  if f.key in new and new[f.key] != old.get(f.key, "")}
        if fields:
            self._log.insert({"person": old["id"], "time": new.get("updated_at") or self._now(),
                              "fields": fields})

    def changes(self, person_id: str) -> list[dict[str, Any]]:
        """The changes made to a person's record, oldest first: each
        ``{"time", "fields": {key: [old, new]}}``."""
        if self._log is None:
            return []
        found = self._log.search(where("person") == person_id)
        return [dict(d) for d in sorted(found, key=lambda d: (d["time"], d["id"]))]

    # -- the in-memory roster ---------------------------------------------
    def _require(self, person_id: str) -> Person:
        person = self._people.get(person_id)
        if person is None:
            raise UserError("storage.record_not_found")
        return person

    def _remember(self, doc: Mapping[str, Any]) -> None:
        stored = self._part.first(where("id") == doc["id"])
        self._people[doc["id"]] = Person(stored if stored is not None else doc)
        self._changed()

    def _forget(self, person_id: str) -> None:
        self._people.pop(person_id, None)
        self._changed()

    def _changed(self) -> None:
        self.version = next(_VERSIONS)
        self._orders.clear()
        self._last = None
        self._counts = None


def _status_matches(status: str, wanted: str) -> bool:
    if wanted == ALL_STATUSES:
        return True
    if wanted == ARCHIVED_STATUSES:
        return status in ARCHIVED
    return status == wanted
