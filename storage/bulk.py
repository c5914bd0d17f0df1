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

import hmac
from collections.abc import Callable, Iterable

import orjson

from storage import history as hist
from storage.errors import DuplicateRecord
from storage.partition import Doc
from storage.records import canonical_json, sha256_hex
from storage.store import PARTITION_NAME, Store, _Appended


def insert_new(store: Store, name: str, docs: Iterable[Doc]) -> int:
    """Insert ``docs`` (each with its own new string ``id``; handed over, not
    copied) into partition ``name`` in one batch (the caller's, if one is
    open); returns how many. A repeated or existing id raises
    ``DuplicateRecord`` and the batch writes nothing."""
    if not PARTITION_NAME.match(name):
        raise ValueError(f"bad partition name {name!r}")
    count = 0
    with store.batch():
        when = store.clock()  # one moment for the lot, as one import
        month = hist.partition_for(when)
        if not _unread(store, name):
            part = store.partition(name)
            for doc in docs:
                part.insert(doc, owned=True)
                count += 1
            return count
        txn = store._txn
        assert txn is not None
        # What the batch takes back if it fails: each buffer to where it was
        # (undone last to first), then a buffer left empty dropped.
        txn.undo.append(lambda: _drop_if_empty(store, name, month))
        appended = store._appended.setdefault(name, _Appended())
        txn.undo.append(_mark(store, name, appended))
        entries = None  # the month's history is loaded: entries go in one by one
        if _unread(store, month, stored=True):
            entries = store._appended.setdefault(month, _Appended())
            txn.undo.append(_mark(store, month, entries))
        seen = set(appended.ids)
        ops, key = txn.ops, store._history_key
        seq, prev = store.head
        for doc in docs:
            record_id = doc.get("id")
            if not isinstance(record_id, str) or not record_id:
                raise TypeError("record id must be a non-empty string")
            if record_id in seen:
                raise DuplicateRecord(partition=name)
            seen.add(record_id)
            raw = canonical_json(doc)
            _add(appended, record_id, orjson.dumps(doc))
            ops.append({"p": name, "o": "insert", "id": record_id, "d": orjson.Fragment(raw)})
            # ``store.record_hash``: HMAC-SHA-256 under the history key (one-shot)
            digest = hmac.digest(key, raw, "sha256").hex() if key else sha256_hex(raw)
            seq += 1
            entry = hist.make_entry(seq, when, name, record_id, "insert", digest, prev)
            prev = entry["entry"]
            if entries is None:
                store._append_history(txn, entry)
            else:
                data = orjson.dumps(entry)
                _add(entries, entry["id"], data)
                ops.append({"p": month, "o": "insert", "id": entry["id"],
                            "d": orjson.Fragment(data)})
                store._head = (seq, prev)
            count += 1
    _drop_if_empty(store, name, month)
    return count


def _unread(store: Store, name: str, *, stored: bool = False) -> bool:
    """Whether ``name`` holds nothing but what was appended unread (and,
    unless ``stored``, has no snapshot either)."""
    if store.is_loaded(name) or name in store._pending:
        return False
    return stored or name not in store._manifest


def _mark(store: Store, name: str, appended: _Appended) -> Callable[[], None]:
    """What takes ``appended`` back to where it is now: also out of the
    partition, should a read in the same batch have loaded it meanwhile."""
    size, count = len(appended.buf), appended.count

    def undo() -> None:
        part = store._loaded.get(name)
        if part is not None and store._appended.get(name) is not appended:
            for record_id in appended.ids[count:]:
                part._put(record_id, None)
        del appended.buf[size:], appended.ids[count:], appended.ends[count:]
    return undo


def _add(appended: _Appended, record_id: str, data: bytes) -> None:
    """``_Appended.add`` for JSON already made (and no undo of its own)."""
    if appended.ids:
        appended.buf += b","
    appended.buf += data
    appended.ids.append(record_id)
    appended.ends.append(len(appended.buf))


def _drop_if_empty(store: Store, *names: str) -> None:
    for name in names:
        appended = store._appended.get(name)
        if appended is not None and not appended.count:
            del store._appended[name]
