"""One partition: a TinyDB table held in memory, written only through the store.

TinyDB is the read API (``search`` takes TinyDB queries); all writes go through
``Store`` so that each becomes a journal frame before it is acknowledged. The
documents TinyDB sees are the partition's own dict, keyed by each record's
stable id (``document_id_class = str``), so no copy of the table is made per
operation. Every document handed out is a deep copy (``view`` aside: the live
documents, for callers that only read them).

Documents loaded from a snapshot may be held unparsed (their JSON bytes in the
snapshot's plaintext, authenticated with the whole file; ``_docs`` then maps the
id to the document's position) and are parsed when first needed:
``get`` parses one (the parse is the copy), ``all`` parses them all into fresh
copies, and whatever needs the documents themselves (a query, an index, a
write, ``view``) parses them in place first. Opening the day sheet of a month
of check-ins so parses one day's documents, not the month's.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson
from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Table

from storage.errors import DuplicateRecord, RecordNotFound, VaultCorrupt
from storage.records import canonical_json, deep_copy, new_id

if TYPE_CHECKING:
    from storage.store import Store

Doc = dict[str, Any]


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


SHARED_LENGTH = 26  # a ULID: person ids, dates, codes and short answers are shared


def share_values(docs: Iterable[Doc], shared: dict[str, str]) -> None:
    """Make equal short text values of the documents one object (``shared``
    holds each first seen): a month of check-ins repeats the same dates,
    answers, places and person ids thousands of times, and each parsed copy
    would otherwise cost its own 50-80 bytes. Documents are never changed in
    place once stored, so sharing an immutable ``str`` is invisible."""
    keep = shared.setdefault
    for doc in docs:
        for key, value in doc.items():
            if type(value) is str and len(value) <= SHARED_LENGTH:
                doc[key] = keep(value, value)  # the same key: the dict keeps its size


def _index_key(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return canonical_json(value)


class Partition:
    """``docs`` maps each id to its document, or to the position ``n`` of its
    JSON, not parsed yet, in ``blob``: the bytes from the end of document
    ``n - 1`` plus ``gap`` (from 0 for the first) to ``ends[n]``. ``source``
    names the file they came from, for the error should one not be a document."""

    def __init__(self, store: Store, name: str, docs: dict[str, Doc | int], *,
                 blob: bytes = b"", ends: list[int] | None = None, gap: int = 0,
                 source: str = "") -> None:
        self._store = store
        self.name = name
        self._docs: dict[str, Any] = docs
        self._blob, self._ends, self._gap = blob, ends or [], gap
        self._unparsed = len(self._ends)
        self._source = source
        self._table = _PartitionTable(_MemoryStorage(name, docs), name, cache_size=32)
        self._indexes: dict[str, dict[Any, set[str]]] = {}
        self._shared: dict[str, str] = {}  # share_values' strings

    # -- reads -------------------------------------------------------------
    def get(self, record_id: str) -> Doc | None:
        with self._store.lock:
            doc = self._docs.get(record_id)
            if doc is None:
                return None
            if type(doc) is int:
                return self._parse(record_id, doc)  # a fresh object: the copy
            return deep_copy(doc)

    def get_many(self, ids: Iterable[str]) -> list[Doc]:
        """Copies of the documents with these ids (those that exist), in the
        order asked: the unparsed ones in one parse."""
        with self._store.lock:
            wanted = [i for i in ids if i in self._docs]
            if not self._unparsed:
                return deep_copy([self._docs[i] for i in wanted])
            with bulk(freeze=False):
                return self._parse_many(*self._joined(wanted))

    def all(self) -> list[Doc]:
        with self._store.lock:
            if not self._unparsed:
                return deep_copy(list(self._docs.values()))
            # One parse of every document's bytes (the parsed ones written out
            # again) makes the copies; the partition stays as it is.
            with bulk(freeze=False):
                return self._parse_many(*self._joined())

    def view(self) -> list[Doc]:
        """The live documents, in order, not copies: for a caller that only
        reads them (a service's in-memory list) and never changes one. The
        partition never changes a document in place either: a write puts a
        new one under the id."""
        with self._store.lock:
            self._parse_all()
            return list(self._docs.values())

    def ids(self) -> list[str]:
        with self._store.lock:
            return list(self._docs)

    def search(self, query: QueryLike) -> list[Doc]:
        with self._store.lock:
            self._parse_all()
            return deep_copy([dict(d) for d in self._table.search(query)])

    def count(self, query: QueryLike | None = None) -> int:
        with self._store.lock:
            if query is None:
                return len(self._docs)
            self._parse_all()
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
    # ``owned``: the caller hands the document over, keeping no reference to
    # it (nor to anything inside it) that it will change: it is stored as it
    # is, not copied first (a batch import of large documents, each built for
    # the write). Every other caller's document is copied.
    def insert(self, doc: Doc, *, owned: bool = False) -> str:
        new = doc if owned else deep_copy(doc)
        record_id = new.setdefault("id", new_id())
        if not isinstance(record_id, str) or not record_id:
            raise TypeError("record id must be a non-empty string")
        with self._store.lock:
            if record_id in self._docs:
                raise DuplicateRecord(partition=self.name)
            self._store.write(self, "insert", record_id, new)
        return record_id

    def insert_many(self, docs: Iterable[Doc], *, owned: bool = False) -> list[str]:
        with self._store.batch():
            return [self.insert(doc, owned=owned) for doc in docs]

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
            return deep_copy(self._replace(record_id, doc, owned=False))

    def _replace(self, record_id: str, doc: Doc, *, owned: bool) -> Doc:
        self._require(record_id)
        new = doc if owned else deep_copy(doc)
        new["id"] = record_id
        self._store.write(self, "update", record_id, new)
        return new

    def upsert(self, doc: Doc, *, owned: bool = False) -> str:
        record_id = doc.get("id")
        with self._store.lock:
            if record_id is not None and record_id in self._docs:
                self._replace(record_id, doc, owned=owned)  # no copy handed back
                return record_id
            return self.insert(doc, owned=owned)

    def remove(self, record_id: str) -> None:
        with self._store.lock:
            self._require(record_id)
            self._store.write(self, "remove", record_id, None)

    def _require(self, record_id: str) -> Doc:
        doc = self._raw(record_id)
        if doc is None:
            raise RecordNotFound(partition=self.name)
        return doc

    # -- parsing ---------------------------------------------------------------
    def _corrupt(self) -> VaultCorrupt:
        return VaultCorrupt(file=f"data/{self._source}", partition=self.name)

    def _bytes(self, position: int) -> bytes:
        start = self._ends[position - 1] + self._gap if position else 0
        return self._blob[start: self._ends[position]]

    def _parse(self, record_id: str, position: int) -> Doc:
        """An unparsed document as a new dict; its ``id``, if any, must be its key."""
        try:
            doc = orjson.loads(self._bytes(position))
        except orjson.JSONDecodeError:
            raise self._corrupt() from None
        if type(doc) is not dict or doc.get("id", record_id) != record_id:
            raise self._corrupt()
        return doc

    def _parse_many(self, ids: list[str], joined: bytes | bytearray) -> list[Doc]:
        """Many documents' bytes, joined with ``,``, in one parse, checked as
        ``_parse`` checks one."""
        try:
            docs = orjson.loads(b"[" + joined + b"]")
        except orjson.JSONDecodeError:
            raise self._corrupt() from None
        if len(docs) != len(ids):
            raise self._corrupt()  # a line that was not exactly one document
        for record_id, doc in zip(ids, docs, strict=True):
            if type(doc) is not dict or doc.get("id", record_id) != record_id:
                raise self._corrupt()
        return docs

    def _parse_all(self) -> None:
        """Parse, in place, every document still held as bytes."""
        if not self._unparsed:
            return
        docs = self._docs
        ids = [i for i, d in docs.items() if type(d) is int]
        with bulk():
            parsed = self._parse_many(*self._joined(ids))
            share_values(parsed, self._shared)
        for record_id, doc in zip(ids, parsed, strict=True):
            docs[record_id] = doc  # an existing key: the order stays
        self._unparsed = 0
        self._blob, self._ends = b"", []

    def _joined(self, ids: list[str] | None = None, gap: bytes = b","
                ) -> tuple[list[str], bytearray]:
        """The ids (default: all, in order) and their documents' JSON bytes
        joined with ``gap`` (for a parse, or a snapshot): documents never
        parsed are written back as they were read. One growing buffer: a
        bytes object per document, kept until the join, would cost the
        allocator far more than the bytes themselves."""
        docs = self._docs
        ids = list(docs) if ids is None else ids
        out = bytearray()
        encode, blob, ends, skip = orjson.dumps, memoryview(self._blob), self._ends, self._gap
        for n, doc in enumerate(map(docs.__getitem__, ids)):
            if n:
                out += gap
            if type(doc) is int:
                out += blob[ends[doc - 1] + skip if doc else 0: ends[doc]]
            else:
                out += encode(doc)
        return ids, out

    # -- used by the store only ------------------------------------------------
    def _put(self, record_id: str, doc: Doc | None) -> None:
        """Set (or with ``None`` delete) a document in memory; keep indexes."""
        old = self._docs.get(record_id)
        if type(old) is int:
            self._one_parsed()  # indexes exist only once all are parsed
            old = None
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
            share_values((doc,), self._shared)
            self._docs[record_id] = doc
        if len(self._table._query_cache):
            self._table.clear_cache()

    def _raw(self, record_id: str) -> Doc | None:
        doc = self._docs.get(record_id)
        if type(doc) is int:
            doc = self._docs[record_id] = self._parse(record_id, doc)
            share_values((doc,), self._shared)
            self._one_parsed()
        return doc

    def _one_parsed(self) -> None:
        self._unparsed -= 1
        if not self._unparsed:
            self._blob, self._ends = b"", []

    def _raw_docs(self) -> list[Doc]:
        self._parse_all()
        return list(self._docs.values())

    def _index(self, field: str) -> dict[Any, set[str]]:
        index = self._indexes.get(field)
        if index is None:
            self._parse_all()
            index = {}
            for record_id, doc in self._docs.items():
                index.setdefault(_index_key(doc.get(field)), set()).add(record_id)
            self._indexes[field] = index
        return index
