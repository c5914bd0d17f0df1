"""TinyDB's read API over a partition's own documents, without copies.

A partition keeps its documents as ``StoredDoc``: dicts (lists inside them
``StoredList``) that refuse every change, so the documents themselves can be
handed to readers — a reader that wants to change one changes a copy
(``dict(doc)``) and writes it through the partition, which puts a new
document under the id. ``StoreTable`` is the partition's TinyDB ``Table``:

- ``document_class`` (TinyDB's hook for what a read hands out) hands out the
  stored document itself: ``search``, ``get``, ``all`` and iteration copy
  nothing;
- an equality on a top-level field (``where("person") == pid``, alone or in
  an ``&``) is answered from a hash index of that field, built on first use
  and kept by the partition's writes; any other query is TinyDB's scan, with
  its query cache (cleared on every write).

Every read holds the store's lock, so a worker thread reading while the UI
thread writes sees the table before or after a write, never in between.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from tinydb.queries import QueryInstance, QueryLike
from tinydb.table import Table

if TYPE_CHECKING:
    from storage.partition import Partition


@contextlib.contextmanager
def bulk(*, freeze: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector while many small objects are made
    (loading or parsing a snapshot): otherwise each full collection walks
    every document already loaded. Documents are plain JSON data without
    cycles, so afterwards (``freeze``: documents the partition keeps) they are
    moved out of the collector's way for good. Copies handed out are not
    frozen: freezing often would also keep whatever cyclic garbage is
    waiting for a collection at that moment."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
    if freeze:
        gc.freeze()


SHARED_LENGTH = 26  # a ULID: person ids, dates, codes and short answers are shared
READ_ONLY = ("a stored document is read-only: change a copy (dict(doc)) "
             "and write it through its partition")


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(READ_ONLY)


class StoredDoc(dict):  # type: ignore[type-arg]
    """A document as its partition holds it: read it, never change it."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    @property
    def doc_id(self) -> str:
        """TinyDB's ``Document.doc_id``: the record's own id."""
        return self["id"]  # type: ignore[no-any-return]

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: Any) -> dict[str, Any]:
        return thawed(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (thawed(self),))


class StoredList(list):  # type: ignore[type-arg]
    """A list inside a stored document: read-only like the document."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: Any) -> list[Any]:
        return thawed(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (thawed(self),))


def thawed(value: Any) -> Any:
    """A plain (changeable) deep copy of a stored value."""
    if isinstance(value, dict):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thawed(v) for v in value]
    return value


def share(doc: dict[str, Any], shared: dict[str, str]) -> None:
    """Make equal short text values of a document one object, in place
    (``shared`` holds each first seen): a month of check-ins repeats the same
    dates, answers, places and person ids thousands of times, and each would
    otherwise cost its own 50-80 bytes. Documents are never changed in place
    once stored, so sharing an immutable ``str`` is invisible."""
    keep = shared.setdefault
    for key, value in doc.items():
        if type(value) is str and len(value) <= SHARED_LENGTH:
            doc[key] = keep(value, value)  # the same key: the dict keeps its size


EMPTY = StoredList()  # every empty list inside a stored document (it cannot change)
_CONTAINERS = frozenset((list, dict))


def _frozen_list(value: list[Any]) -> StoredList:
    if not value:
        return EMPTY
    if _CONTAINERS.isdisjoint(map(type, value)):
        return StoredList(value)
    return StoredList([freeze(v) if type(v) is dict
                       else _frozen_list(v) if type(v) is list else v for v in value])


_set = dict.__setitem__  # how a frozen copy is filled in (its own method refuses)


def freeze(doc: Mapping[str, Any]) -> StoredDoc:
    """A read-only copy of ``doc`` (one dict copy), the lists and dicts inside
    frozen too (those already frozen are kept); ``doc`` is left as it is."""
    out = StoredDoc(doc)
    if not _CONTAINERS.isdisjoint(map(type, doc.values())):
        for key, value in doc.items():
            kind = type(value)
            if kind is list:
                _set(out, key, _frozen_list(value))
            elif kind is dict:
                _set(out, key, freeze(value))
    return out


# -- equality queries --------------------------------------------------------------
SCALARS = frozenset((str, int, float, bool, type(None)))
MISSING = object()  # the index key of a document without the field
OTHER = object()  # ... of one whose value is a list or a dict (no scalar equals it)


def index_key(doc: Mapping[str, Any], field: str) -> Any:
    value = doc.get(field, MISSING)
    if value is MISSING or type(value) in SCALARS:
        return value
    return OTHER


def equalities(cond: QueryLike) -> list[tuple[str, Any]]:
    """The ``field == value`` tests a query must pass, for a top-level field
    and a scalar value: the query itself (``where(f) == v``) or the members
    of an ``&`` of queries. TinyDB's ``QueryInstance`` keeps its hash value,
    ``('==', (field,), value)`` or ``('and', frozenset(...))``."""
    if not isinstance(cond, QueryInstance) or not cond.is_cacheable():
        return []
    found: list[tuple[str, Any]] = []
    _collect(cond._hash, found)
    return found


def _collect(hashval: Any, found: list[tuple[str, Any]]) -> None:
    if type(hashval) is not tuple or len(hashval) < 2:
        return
    if hashval[0] == "and" and len(hashval) == 2 and isinstance(hashval[1], frozenset):
        for part in hashval[1]:
            _collect(part, found)
        return
    if hashval[0] == "==" and len(hashval) == 3:
        path, value = hashval[1], hashval[2]
        if (type(path) is tuple and len(path) == 1 and type(path[0]) is str
                and type(value) in SCALARS and value == value):  # NaN equals nothing
            found.append((path[0], value))


class StoreTable(Table):
    """A partition's TinyDB table (see the module's docstring)."""

    document_id_class = str  # the record's own id, not TinyDB's doc_id

    def __init__(self, partition: Partition, cache_size: int = 32) -> None:
        self._partition = partition
        super().__init__(_NoStorage(), partition.name, cache_size=cache_size)  # type: ignore[arg-type]
        # What TinyDB hands out for a document: the stored one, frozen.
        self.document_class = partition._handed  # type: ignore[assignment]

    # TinyDB reads every document through ``_read_table``: the partition's
    # own mapping, each document parsed first.
    def _read_table(self) -> dict[str, Any]:
        return self._partition._parsed_docs()

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        raise TypeError("partitions are written through the store's journal")

    def _candidates(self, cond: QueryLike) -> tuple[list[str] | None, bool]:
        """The ids the index offers for ``cond`` (None: scan), and whether
        they are exactly its answer (one equality with a scalar)."""
        tests = equalities(cond)
        ids = self._partition._indexed(tests)
        return ids, len(tests) == 1 and cond._hash[0] == "=="  # type: ignore[attr-defined]

    def search(self, cond: QueryLike) -> list[StoredDoc]:
        part = self._partition
        with part._lock:
            ids, exact = self._candidates(cond)
            if ids is None:
                return super().search(cond)  # type: ignore[return-value]
            docs, hand = part._docs, part._handed
            if exact:
                return [hand(docs[i], i) for i in ids]
            return [hand(doc, i) for i in ids if cond(doc := docs[i])]

    def get(self, cond: QueryLike | None = None, doc_id: Any = None,  # type: ignore[override]
            doc_ids: list[Any] | None = None) -> Any:
        part = self._partition
        with part._lock:
            if cond is not None and doc_id is None and doc_ids is None:
                ids, _ = self._candidates(cond)
                if ids is not None:
                    docs = part._docs
                    found = next((i for i in ids if cond(docs[i])), None)
                    return None if found is None else part._handed(docs[found], found)
            return super().get(cond, doc_id, doc_ids)

    def count(self, cond: QueryLike) -> int:
        """How many documents match (none of them handed out)."""
        part = self._partition
        with part._lock:
            ids, exact = self._candidates(cond)
            if ids is None:
                return sum(1 for doc in self._read_table().values() if cond(doc))
            if exact:
                return len(ids)
            docs = part._docs
            return sum(1 for i in ids if cond(docs[i]))

    def __len__(self) -> int:
        return len(self._partition)

    def __iter__(self) -> Iterator[StoredDoc]:
        return iter(self.all())

    def all(self) -> list[StoredDoc]:
        part = self._partition
        with part._lock:
            docs = self._read_table()
            if part._all_frozen:
                return list(docs.values())
            hand = part._handed
            with bulk():  # frozen copies the partition keeps, out of the collector's way
                out = [hand(doc, i) for i, doc in docs.items()]
            part._all_frozen = True
            return out


class _NoStorage:
    """TinyDB's table needs a storage; ours reads through ``_read_table``."""

    def read(self) -> None:
        return None

    def write(self, data: Any) -> None:
        raise TypeError("partitions are written through the store's journal")

    def close(self) -> None:
        pass
