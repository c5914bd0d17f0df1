"""One partition: a TinyDB table held in memory, written only through the store.

TinyDB is the read API: ``search``, ``first`` and ``count`` take TinyDB
queries (``where("person") == pid``) and go through the partition's
``StoreTable`` (``p.table``, a TinyDB ``Table``; see ``storage.table``),
which answers equalities on a field from a hash index and hands out the
stored documents themselves, read-only (``StoredDoc``): a document is frozen
the first time a read hands it out and kept so, so no read copies it again.
All writes go through ``Store`` so that each becomes a journal frame before
it is acknowledged; a write puts a new document under the id, never changes
one in place. ``get``, ``get_many``, ``all`` and ``find`` hand out deep
copies (plain dicts) for a caller that means to change what it reads.

Documents loaded from a snapshot may be held unparsed (their JSON bytes in the
snapshot's plaintext, authenticated with the whole file; ``_docs`` then maps the
id to the document's position) and are parsed when first needed:
``get`` parses one (the parse is the copy), ``all`` parses them all into fresh
copies, and whatever needs the documents themselves (a query, an index, a
write, ``view``) parses them in place first. Opening the day sheet of a month
of check-ins so parses one day's documents, not the month's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson
from tinydb import where
from tinydb.queries import QueryLike

from storage.errors import DuplicateRecord, RecordNotFound, VaultCorrupt
from storage.records import deep_copy, new_id
from storage.table import (
    MISSING,
    SCALARS,
    StoredDoc,
    StoreTable,
    bulk,
    freeze,
    index_key,
    share,
)

if TYPE_CHECKING:
    from storage.store import Store

Doc = dict[str, Any]


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
        self._shared: dict[str, str] = {}  # share's strings
        self._all_frozen = not docs  # every document handed out once (``StoreTable.all``)
        # field -> value -> the ids holding it, in the partition's order
        # (``_dirty``: buckets a document moved into, to put in order again).
        self._indexes: dict[str, dict[Any, dict[str, None]]] = {}
        self._dirty: set[tuple[str, Any]] = set()
        self.table = StoreTable(self)

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

    def view(self) -> list[StoredDoc]:
        """The stored documents, in order, not copies (read-only: the
        partition never changes one in place either, a write puts a new one
        under the id)."""
        return self.table.all()

    def ids(self) -> list[str]:
        with self._store.lock:
            return list(self._docs)

    # -- TinyDB's query API: the stored (read-only) documents, no copies --------
    def search(self, query: QueryLike) -> list[StoredDoc]:
        """The documents ``query`` matches, in the partition's order: the
        stored documents themselves, read-only (``StoreTable``)."""
        return self.table.search(query)

    def first(self, query: QueryLike) -> StoredDoc | None:
        """The first document ``query`` matches (TinyDB's ``get(cond)``)."""
        return self.table.get(query)  # type: ignore[no-any-return]

    def count(self, query: QueryLike | None = None) -> int:
        if query is None:
            return len(self._docs)
        return self.table.count(query)

    def find(self, **equals: Any) -> list[Doc]:
        """Copies of the documents whose fields equal the given values (an
        indexed ``search``), by id."""
        if not equals:
            return self.all()
        items = list(equals.items())
        if all(type(v) in SCALARS and v == v for v in equals.values()):
            with self._store.lock:  # what ``search`` does with the query, without making it
                docs = self._docs
                found = [docs[i] for i in self._indexed(items) or ()]
                if len(items) > 1:
                    found = [d for d in found if all(k in d and d[k] == v for k, v in items)]
                return deep_copy(sorted(found, key=lambda d: d["id"]))
        query = None
        for field, value in items:
            test = where(field) == value
            query = test if query is None else query & test
        return deep_copy(sorted(self.search(query), key=lambda d: d["id"]))

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
        # each a dict whose id, if any, is its key (``_parse``'s checks, in C loops)
        if docs and (set(map(type, docs)) != {dict}
                     or list(map(dict.get, docs, itertools.repeat("id"), ids)) != ids):
            raise self._corrupt()
        return docs

    @property
    def _as_read(self) -> bool:
        """Every document still its bytes as read, in the order read (nothing
        written or parsed since): position ``n`` is the ``n``-th id."""
        return self._unparsed == len(self._ends) == len(self._docs)

    def _parse_range(self, start: int, stop: int) -> list[Doc]:
        """Copies of the documents at positions ``start`` to ``stop`` of a
        partition ``_as_read``, in one parse of their bytes as they lie (the
        gaps between them are JSON's own ``,``), checked as ``_parse_many``
        checks them."""
        if not self._as_read:
            raise RuntimeError("documents not as read")
        stop = min(stop, len(self._ends))
        if start >= stop:
            return []
        ids = list(itertools.islice(self._docs, start, stop))
        first = self._ends[start - 1] + self._gap if start else 0
        return self._parse_many(ids, self._blob[first: self._ends[stop - 1]])

    def _parse_all(self, *, frozen: bool = False) -> None:
        """Parse, in place, every document still held as bytes; ``frozen``:
        as the read-only documents reads hand out (for a partition a service
        reads whole, parsed at unlock: its first list freezes nothing)."""
        if not self._unparsed:
            return
        docs = self._docs
        ids = [i for i, d in docs.items() if type(d) is int]
        shared = self._shared
        with bulk():
            parsed: list[Any] = self._parse_many(*self._joined(ids))
            for n, record_id in enumerate(ids):
                doc = parsed[n]
                share(doc, shared)
                docs[record_id] = freeze(doc) if frozen else doc  # an existing key: the order stays
                parsed[n] = None
        self._unparsed = 0
        self._blob, self._ends = b"", []
        self._all_frozen = frozen and len(ids) == len(docs)

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
    @property
    def _lock(self) -> Any:
        return self._store.lock

    def _put(self, record_id: str, doc: Doc | None) -> None:
        """Set (or with ``None`` delete) a document in memory; keep indexes."""
        old = self._docs.get(record_id)
        if type(old) is int:
            self._one_parsed()  # indexes exist only once all are parsed
            old = None
        new = doc
        if new is not None and type(new) is not StoredDoc:
            share(new, self._shared)  # the store's own copy of what was written
            self._all_frozen = False
        for field, index in self._indexes.items():
            before = MISSING if old is None else index_key(old, field)
            after = MISSING if new is None else index_key(new, field)
            if old is not None and new is not None and before == after:
                continue  # the document keeps its place in its bucket
            if old is not None:
                bucket = index.get(before)
                if bucket is not None:
                    bucket.pop(record_id, None)
            if new is not None:
                bucket = index.setdefault(after, {})
                if old is not None and bucket:
                    self._dirty.add((field, after))  # not necessarily its place
                bucket[record_id] = None
        if new is None:
            self._docs.pop(record_id, None)
        else:
            self._docs[record_id] = new
        if len(self.table._query_cache):
            self.table.clear_cache()

    def _raw(self, record_id: str) -> Doc | None:
        doc = self._docs.get(record_id)
        if type(doc) is int:
            doc = self._docs[record_id] = self._parse(record_id, doc)
            share(doc, self._shared)
            self._one_parsed()
        return doc

    def _one_parsed(self) -> None:
        self._unparsed -= 1
        if not self._unparsed:
            self._blob, self._ends = b"", []

    def _raw_docs(self) -> list[Doc]:
        self._parse_all()
        return list(self._docs.values())

    def _parsed_docs(self) -> dict[str, Any]:
        """Every document parsed: the mapping TinyDB reads (``StoreTable``)."""
        self._parse_all()
        return self._docs

    def _handed(self, doc: Doc, record_id: str) -> StoredDoc:
        """A document as a read hands it out (TinyDB's ``document_class``):
        frozen the first time, and kept frozen in its place, so a scan
        freezes only what it finds and a second read copies nothing."""
        if type(doc) is StoredDoc:
            return doc
        frozen = self._docs[record_id] = freeze(doc)
        return frozen

    def _indexed(self, equalities: list[tuple[str, Any]]) -> list[str] | None:
        """The ids of the documents passing the most selective of
        ``equalities`` (from the fields' indexes), in the partition's order;
        None if there is none."""
        if not equalities:
            return None
        best: dict[str, None] | None = None
        if len(equalities) > 1:  # the id first: it needs no index
            equalities = sorted(equalities, key=lambda e: e[0] != "id")
        for field, value in equalities:
            if field == "id":  # the documents' own key: no index, nothing else parsed
                doc = self._raw(value) if type(value) is str else None
                if doc is None or doc.get("id") != value:
                    return []
                best = {value: None}
                continue
            index = self._index(field)
            bucket = index.get(value)
            if bucket is None:
                return []
            if (field, value) in self._dirty:
                self._dirty.discard((field, value))
                bucket = index[value] = {i: None for i in self._docs if i in bucket}
            if best is None or len(bucket) < len(best):
                best = bucket
        return list(best or ())

    def _index(self, field: str) -> dict[Any, dict[str, None]]:
        index = self._indexes.get(field)
        if index is None:
            self._parse_all()
            index = {}
            for record_id, doc in self._docs.items():
                index.setdefault(index_key(doc, field), {})[record_id] = None
            self._indexes[field] = index
        return index
