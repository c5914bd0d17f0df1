"""What the care, task, record and deed services share: the records of one
definition in one partition, checked against the roster.

The partition is the only copy: services read it with TinyDB queries
(``search``, ``first``, ``count`` on ``where(...)``), whose results are the
stored documents, read-only; what they hand out to be changed are copies
(``get``, ``all``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Generic, TypeVar, overload

from branchtool import i18n
from branchtool.errors import UserError
from branchtool.records.fields import FieldDef, InvalidRecord, Problem, RecordDef, Ref
from branchtool.records.fieldtypes import RefField, RefListField, split_ids
from branchtool.records.person import ACTIVE
from branchtool.services.query import where
from branchtool.services.roster import RosterService
from branchtool.services.watch import PartitionLike

Doc = dict[str, Any]
Batch = Callable[[], AbstractContextManager[Any]]
# A reference check: the catalog key of what is wrong with pointing at this id.
RefCheck = Callable[[str], str | None]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def local_now() -> dt.datetime:
    """The secretary's wall-clock time, to the minute (due times are local)."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def person_name(roster: RosterService, person_id: str) -> str:
    """A roster person's name; archived people are marked, deleted ones named so."""
    if not person_id:
        return ""
    person = roster.person(person_id)
    if person is None:
        return i18n.t("ref.deleted_person")
    if person.status != ACTIVE:
        return i18n.t("ref.archived_name", name=person["name"])
    return person["name"]


def names(roster: RosterService, ids: str) -> str:
    """The names of a stored list of people, joined the current language's way."""
    return i18n.t("list.separator").join(person_name(roster, i) for i in split_ids(ids))


R = TypeVar("R")


class LazyRows(Sequence[R], Generic[R]):
    """The rows of a list, made only when asked for: a table that draws the
    visible rows makes a screenful, whatever the number of records."""

    __slots__ = ("_docs", "_make")

    def __init__(self, docs: Sequence[Mapping[str, Any]],
                 make: Callable[[Mapping[str, Any]], R]) -> None:
        self._docs = docs
        self._make = make

    def __len__(self) -> int:
        return len(self._docs)

    @overload
    def __getitem__(self, index: int) -> R: ...
    @overload
    def __getitem__(self, index: slice) -> list[R]: ...
    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            return [self._make(d) for d in self._docs[index]]
        return self._make(self._docs[index])

    def __iter__(self) -> Iterator[R]:
        return map(self._make, self._docs)

    def ids(self) -> list[str]:
        return [d["id"] for d in self._docs]


def ref_fields(rdef: RecordDef) -> list[FieldDef]:
    return [f for f in rdef.fields if isinstance(f, RefField | RefListField)]


def _ids(fdef: FieldDef, value: str) -> list[str]:
    return split_ids(value) if isinstance(fdef, RefListField) else ([value] if value else [])


class RecordBook:
    """Records of ``rdef`` in ``partition``, with reference checks."""

    def __init__(self, partition: PartitionLike, batch: Batch, rdef: RecordDef,
                 roster: RosterService, *, now: Callable[[], str] = utc_now) -> None:
        self._part = partition
        self._batch = batch
        self.rdef = rdef
        self.roster = roster
        self._now = now
        self._ref_checks: dict[str, RefCheck] = {"person": self._check_person}
        self._changes = 0
        self._pending: list[_Change] | None = None

    # -- reading -------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Changes whenever the records do (lists compare it to refresh)."""
        return self._changes

    def __len__(self) -> int:
        return len(self._part)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._part

    def get(self, record_id: str) -> Doc | None:
        """A copy of the record, or None."""
        return self._part.get(record_id)

    def all(self) -> list[Doc]:
        return self._part.all()

    def _records(self) -> list[Mapping[str, Any]]:
        """Every record (the stored documents, read-only), in one step."""
        return self._part.view()

    def _record(self, record_id: str) -> Mapping[str, Any] | None:
        """The stored record (read-only), or None."""
        return self._part.first(where("id") == record_id)

    def values_of(self, record_id: str) -> dict[str, str]:
        """The stored field values of a record, for a form."""
        doc = self._require(record_id)
        return {f.key: doc.get(f.key, "") for f in self.rdef.fields}

    # -- checking ------------------------------------------------------------------
    def set_ref_check(self, target: str, check: RefCheck) -> None:
        """How to check a reference to ``target`` records (e.g. tasks)."""
        self._ref_checks[target] = check

    def _check_person(self, person_id: str) -> str | None:
        person = self.roster.person(person_id)
        if person is None:
            return "ref.person_missing"
        if person.status != ACTIVE:
            return "ref.person_archived"
        return None

    def clean(self, values: Mapping[str, object],
              record_id: str | None = None) -> tuple[dict[str, str], list[Problem]]:
        """``values`` parsed over the record ``record_id`` (or a blank one) with
        every problem: the definition's, the references' (only people newly
        named must be active: someone archived since stays on an old task) and
        the service's own (``_more_problems``)."""
        base = self.values_of(record_id) if record_id is not None else None
        doc, problems = self.rdef.clean(values, base=base)
        bad = {p.field for p in problems}
        for fdef in ref_fields(self.rdef):
            check = self._ref_checks.get(getattr(fdef, "target", "person"))
            if fdef.key in bad or check is None:
                continue
            before = set(_ids(fdef, base.get(fdef.key, ""))) if base else set()
            for ref in _ids(fdef, doc[fdef.key]):
                key = None if ref in before else check(ref)
                if key:
                    problems.append(Problem(key, fdef.key, {}, Ref(fdef.label_key)))
                    break
        if not problems:
            problems.extend(self._more_problems(doc, record_id))
        return doc, problems

    def check(self, values: Mapping[str, object], record_id: str | None = None) -> list[Problem]:
        return self.clean(values, record_id)[1]

    def _more_problems(self, doc: dict[str, str], record_id: str | None) -> list[Problem]:
        return []

    def _clean_or_raise(self, values: Mapping[str, object],
                        record_id: str | None = None) -> dict[str, str]:
        doc, problems = self.clean(values, record_id)
        if problems:
            raise InvalidRecord(problems)
        return doc

    # -- writing -------------------------------------------------------------------
    def _insert(self, doc: Doc) -> str:
        now = self._now()
        new = {**doc, "created_at": now, "updated_at": now}
        new["id"] = self._part.insert(new)
        self._remember(new, None)
        return new["id"]

    def _update(self, record_id: str, changes: Doc) -> Doc:
        old = self._require(record_id)
        doc = self._part.update(record_id, {**changes, "updated_at": self._now()})
        self._remember(doc, old)
        return doc

    def _remove(self, record_id: str) -> None:
        old = self._require(record_id)
        self._part.remove(record_id)
        self._forget(record_id, old)

    def _require(self, record_id: str) -> Mapping[str, Any]:
        doc = self._record(record_id)
        if doc is None:
            raise UserError("storage.record_not_found")
        return doc

    @contextmanager
    def _atomic(self, *others: RecordBook) -> Iterator[None]:
        """Every write inside, to this book and ``others``, is one journal
        batch; what the books derive from the records (``_apply``) changes
        only once it was all written."""
        books = [b for b in (self, *others) if b._pending is None]
        pendings: list[list[_Change]] = []
        for book in books:
            book._pending = []
            pendings.append(book._pending)
        try:
            with self._batch():
                yield
        finally:
            for book in books:
                book._pending = None
        for book, pending in zip(books, pendings, strict=True):
            for change in pending:
                book._apply(*change)

    def _remember(self, doc: Doc, old: Mapping[str, Any] | None) -> None:
        if self._pending is not None:
            self._pending.append((doc["id"], doc, old))
        else:
            self._apply(doc["id"], doc, old)

    def _forget(self, record_id: str, old: Mapping[str, Any]) -> None:
        if self._pending is not None:
            self._pending.append((record_id, None, old))
        else:
            self._apply(record_id, None, old)

    def _apply(self, record_id: str, doc: Doc | None, old: Mapping[str, Any] | None) -> None:
        """A record was written (``old``: what it was): lists compare
        ``version`` to draw again; subclasses keep what they derive here."""
        self._changes += 1


# (record id, the record written or None if removed, what it was before)
_Change = tuple[str, "Doc | None", "Mapping[str, Any] | None"]
