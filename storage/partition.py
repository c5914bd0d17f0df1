"""One partition: a TinyDB table held in memory, written only through the store.

TinyDB is the read API (``search`` takes TinyDB queries); all writes go through
``Store`` so that each becomes a journal frame before it is acknowledged. The
documents TinyDB sees are the partition's own dict, keyed by each record's
stable id (``document_id_class = str``), so no copy of the table is made per
operation. Every document handed out is a deep copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Table

from storage.errors import DuplicateRecord, RecordNotFound
from storage.records import canonical_json, deep_copy, new_id

if TYPE_CHECKING:
    from storage.store import Store

Doc = dict[str, Any]


class _MemoryStorage(Storage):
    """Hands TinyDB the live partition dict; refuses TinyDB-initiated writes."""

    def __init__(self, name: str, docs: dict[str, Doc]) -> None:
        self._tables = {name: docs}

    def read(self) -> dict[str, dict[str, Doc]]:
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise TypeError("partitions are written through the store's journal")


class _PartitionTable(Table):
    document_id_class = str  # the record's own id, not TinyDB's doc_id

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        raise TypeError("partitions are written through the store's journal")


def _index_key(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return canonical_json(value)


class Partition:
    def __init__(self, store: Store, name: str, docs: dict[str, Doc]) -> None:
        self._store = store
        self.name = name
        self._docs = docs
        self._table = _PartitionTable(_MemoryStorage(name, docs), name, cache_size=32)
        self._indexes: dict[str, dict[Any, set[str]]] = {}

    # -- reads -------------------------------------------------------------
    def get(self, record_id: str) -> Doc | None:
        with self._store.lock:
            doc = self._docs.get(record_id)
            return None if doc is None else deep_copy(doc)

    def all(self) -> list[Doc]:
        with self._store.lock:
            return deep_copy(list(self._docs.values()))

    def ids(self) -> list[str]:
        with self._store.lock:
            return list(self._docs)

    def search(self, query: QueryLike) -> list[Doc]:
        with self._store.lock:
            return deep_copy([dict(d) for d in self._table.search(query)])

    def count(self, query: QueryLike | None = None) -> int:
        with self._store.lock:
            if query is None:
                return len(self._docs)
            return self._table.count(query)

    def find(self, **equals: Any) -> list[Doc]:
        """Documents whose fields equal the given values (hash-indexed)."""
        if not equals:
            return self.all()
        with self._store.lock:
            items = list(equals.items())
            field, value = items[0]
            ids = self._index(field).get(_index_key(value), ())
            found = [
                self._docs[i] for i in ids
                if all(self._docs[i].get(k) == v for k, v in items[1:])
            ]
            return deep_copy(sorted(found, key=lambda d: d["id"]))

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._docs

    def __iter__(self) -> Iterator[Doc]:
        return iter(self.all())

    # -- writes (each one journal frame, or part of the current batch) --------
    def insert(self, doc: Doc) -> str:
        new = deep_copy(doc)
        record_id = new.setdefault("id", new_id())
        if not isinstance(record_id, str) or not record_id:
            raise TypeError("record id must be a non-empty string")
        with self._store.lock:
            if record_id in self._docs:
                raise DuplicateRecord(partition=self.name)
            self._store.write(self, "insert", record_id, new)
        return record_id

    def insert_many(self, docs: Iterable[Doc]) -> list[str]:
        with self._store.batch():
            return [self.insert(doc) for doc in docs]

    def update(self, record_id: str, changes: Doc) -> Doc:
        with self._store.lock:
            old = self._require(record_id)
            new = deep_copy(old)
            new.update(deep_copy(changes))
            new["id"] = record_id
            self._store.write(self, "update", record_id, new)
            return deep_copy(new)

    def replace(self, record_id: str, doc: Doc) -> Doc:
        with self._store.lock:
            self._require(record_id)
            new = deep_copy(doc)
            new["id"] = record_id
            self._store.write(self, "update", record_id, new)
            return deep_copy(new)

    def upsert(self, doc: Doc) -> str:
        record_id = doc.get("id")
        with self._store.lock:
            if record_id is not None and record_id in self._docs:
                self.replace(record_id, doc)
                return record_id
            return self.insert(doc)

    def remove(self, record_id: str) -> None:
        with self._store.lock:
            self._require(record_id)
            self._store.write(self, "remove", record_id, None)

    def _require(self, record_id: str) -> Doc:
        doc = self._docs.get(record_id)
        if doc is None:
            raise RecordNotFound(partition=self.name)
        return doc

    # -- used by the store only ------------------------------------------------
    def _put(self, record_id: str, doc: Doc | None) -> None:
        """Set (or with ``None`` delete) a document in memory; keep indexes."""
        old = self._docs.get(record_id)
        if self._indexes:
            for field, index in self._indexes.items():
                if old is not None:
                    bucket = index.get(_index_key(old.get(field)))
                    if bucket is not None:
                        bucket.discard(record_id)
                if doc is not None:
                    index.setdefault(_index_key(doc.get(field)), set()).add(record_id)
        if doc is None:
            self._docs.pop(record_id, None)
        else:
            self._docs[record_id] = doc
        if len(self._table._query_cache):
            self._table.clear_cache()

    def _raw(self, record_id: str) -> Doc | None:
        return self._docs.get(record_id)

    def _raw_docs(self) -> list[Doc]:
        return list(self._docs.values())

    def _index(self, field: str) -> dict[Any, set[str]]:
        index = self._indexes.get(field)
        if index is None:
            index = {}
            for record_id, doc in self._docs.items():
                index.setdefault(_index_key(doc.get(field)), set()).add(record_id)
            self._indexes[field] = index
        return index
