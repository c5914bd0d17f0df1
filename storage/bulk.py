"""Bulk loading: many new documents into a partition nobody is reading.

``insert_new`` writes new documents as ``Partition.insert`` does — each an
``insert`` op in the current batch's journal frame (so one fsync for the
lot, and a crash replays or loses the batch whole) and each its own history
entry, chained as every other — but does not load the partition to do it:
the documents are kept as their JSON bytes, as history months already are
(``store._Appended``), until a compaction writes them into the partition's
snapshot unparsed or a read loads the partition. A generated semester (the
demo's half a million check-ins) so never holds its months as dicts, nor
indexes them document by document.

Only a partition that is neither loaded nor changed by the journal since the
last compaction, and has no snapshot, takes that way; any other gets
ordinary inserts (same result, the usual cost).
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from storage import history as hist
from storage.errors import DuplicateRecord
from storage.partition import Doc
from storage.records import canonical_json
from storage.store import Store, _Appended


def insert_new(store: Store, name: str, docs: Iterable[Doc]) -> int:
    """Insert ``docs`` (each with its own new string ``id``; handed over, not
    copied) into partition ``name`` in one batch (the caller's, if one is
    open); returns how many. A repeated or existing id raises
    ``DuplicateRecord`` and the batch writes nothing."""
    count = 0
    with store.batch():
        if not _unread(store, name):
            part = store.partition(name)
            for doc in docs:
                part.insert(doc, owned=True)
                count += 1
            return count
        txn = store._txn
        assert txn is not None
        appended = store._appended.setdefault(name, _Appended())
        txn.undo.append(lambda: _drop_if_empty(store, name))  # the last undo to run
        seen = set(appended.ids)
        when = store.clock()  # one moment for the lot, as one import
        ops, undo = txn.ops, txn.undo
        for doc in docs:
            record_id = doc.get("id")
            if not isinstance(record_id, str) or not record_id:
                raise TypeError("record id must be a non-empty string")
            if record_id in seen:
                raise DuplicateRecord(partition=name)
            seen.add(record_id)
            raw = canonical_json(doc)
            undo.append(appended.add(doc))
            ops.append({"p": name, "o": "insert", "id": record_id, "d": orjson.Fragment(raw)})
            seq, prev = store.head
            store._append_history(txn, hist.make_entry(
                seq + 1, when, name, record_id, "insert", store._hash_json(raw), prev))
            count += 1
    _drop_if_empty(store, name)
    return count


def _drop_if_empty(store: Store, name: str) -> None:
    appended = store._appended.get(name)
    if appended is not None and not appended.count:
        del store._appended[name]


def _unread(store: Store, name: str) -> bool:
    """Whether ``name`` holds nothing but what earlier bulk loads appended."""
    return not (store.is_loaded(name) or name in store._pending or name in store._manifest)
