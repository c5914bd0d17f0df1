"""What the epidemic-watch services share: what they need of a vault
(partitions by name, the names under a prefix, one-frame batches;
``storage.vault.Vault`` is one), the clock, and days given as dates or text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from branchtool.errors import UserError
from branchtool.records.fields import InvalidRecord, Problem
from branchtool.services.query import where

if TYPE_CHECKING:
    from branchtool.services.roster import RosterService


class PartitionLike(Protocol):
    """A partition (``storage.partition.Partition``): services read with
    TinyDB queries (``search``, ``first``, ``count``), whose results are the
    stored documents, read-only; ``get``/``all``/``find`` give copies."""

    def search(self, query: Any) -> list[Mapping[str, Any]]: ...
    def first(self, query: Any) -> Mapping[str, Any] | None: ...
    def count(self, query: Any = None) -> int: ...
    def view(self) -> list[Mapping[str, Any]]: ...
    def get(self, record_id: str) -> dict[str, Any] | None: ...
    def all(self) -> list[dict[str, Any]]: ...
    def ids(self) -> list[str]: ...
    def find(self, **equals: Any) -> list[dict[str, Any]]: ...
    def insert(self, doc: dict[str, Any]) -> str: ...
    def update(self, record_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...
    def replace(self, record_id: str, doc: dict[str, Any]) -> dict[str, Any]: ...
    def upsert(self, doc: dict[str, Any]) -> str: ...
    def remove(self, record_id: str) -> None: ...
    def __contains__(self, record_id: object) -> bool: ...
    def __len__(self) -> int: ...


class StoreLike(Protocol):
    def partition(self, name: str) -> Any: ...
    def partitions(self, prefix: str = "") -> list[str]: ...
    def batch(self) -> AbstractContextManager[Any]: ...


Clock = Callable[[], dt.datetime]


def local_now() -> dt.datetime:
    """The local wall-clock time, to the second (check-ins count by local day)."""
    return dt.datetime.now().replace(microsecond=0)


def stamp(moment: dt.datetime) -> str:
    """A local time as stored: ``2026-11-03T08:15:00``."""
    return moment.replace(microsecond=0).isoformat()


class Named:
    """A service's partition of its ``_store`` by name, looked up at each use
    (a locked and reopened vault hands out new ones): ``_notices = Named(NOTICES)``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, service: Any, owner: type | None = None) -> PartitionLike:
        return service._store.partition(self.name)  # type: ignore[no-any-return]


class WatchService:
    """A service over partitions of the store (``Named``), with the roster and
    the local clock; ``version`` changes with every write (lists compare it)."""

    def __init__(self, store: StoreLike, roster: RosterService, *,
                 now: Clock = local_now) -> None:
        self._store = store
        self._roster = roster
        self._now = now
        self.version = 0

    def _stored(self, part: PartitionLike, record_id: str) -> Mapping[str, Any]:
        """The stored record (read-only); a missing one is a user's error."""
        doc = part.first(where("id") == record_id)
        if doc is None:
            raise UserError("storage.record_not_found")
        return doc

    def _insert_clean(self, part: PartitionLike, doc: dict[str, Any],
                      problems: list[Problem], **more: object) -> str:
        """Store a new record as cleaned (none if it has problems), with
        ``more`` fields and stamped now; its id."""
        if problems:
            raise InvalidRecord(problems)
        now = stamp(self._now())
        doc.update(more, created_at=now, updated_at=now)
        doc["id"] = part.insert(doc)
        self.version += 1
        return doc["id"]  # type: ignore[no-any-return]

    def _update_clean(self, part: PartitionLike, record_id: str, doc: dict[str, Any],
                      problems: list[Problem]) -> dict[str, Any]:
        """Change a stored record to ``doc`` as cleaned (not if it has
        problems), stamped now; a copy of the record as stored."""
        if problems:
            raise InvalidRecord(problems)
        doc["updated_at"] = stamp(self._now())
        part.update(record_id, doc)
        self.version += 1
        return part.get(record_id) or {}


def as_day(value: dt.date | str) -> dt.date:
    """A day given as a date or ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError("health.bad_date") from None


def not_future(day: dt.date, now: dt.datetime) -> None:
    if day > now.date():
        raise UserError("health.future_date")
