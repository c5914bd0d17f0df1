"""The vault's hash-chained history of changes.

Every change appends an entry ``{seq, time, partition, id, op, hash, prev}``
where ``hash`` is the HMAC-SHA-256 of the record's new canonical JSON under the
vault's secret history key (``None`` for a removal; entries written before the
key existed hold the plain SHA-256) and ``prev`` is the previous entry's
``entry`` hash. ``entry`` is the SHA-256 of the canonical JSON of the entry
without its own ``entry`` field. The first entry's ``prev`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from storage.records import canonical_json, sha256_hex

_sha256, _dumps, _SORT_KEYS = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS

GENESIS = "0" * 64
OPS = ("insert", "update", "remove")


def partition_for(time_iso: str) -> str:
    """History partitions are monthly: ``history/2026-11``."""
    return f"history/{time_iso[:7]}"


def entry_id(seq: int) -> str:
    return f"{seq:012d}"


def make_entry(
    seq: int, time_iso: str, partition: str, record_id: str, op: str,
    record_hash: str | None, prev: str,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "seq": seq,
        "time": time_iso,
        "partition": partition,
        "record": record_id,
        "op": op,
        "hash": record_hash,
        "prev": prev,
    }
    digest = sha256_hex(canonical_json(body))
    body["entry"] = digest
    body["id"] = entry_id(seq)
    return body


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k not in ("entry", "id")}
    return sha256_hex(canonical_json(body))


@dataclass
class HistoryReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken_at: int | None = None
    problem: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problems


LINK_KEYS = frozenset({"seq", "prev", "entry"})


def verify_chain(entries: Iterable[dict[str, Any]], start_seq: int = 0,
                 start_hash: str = GENESIS, *, links: bool = False) -> HistoryReport:
    """Recompute the chain; name the first broken link. ``links``: entries of
    a bundle, where an entry of a kind the bundle does not carry is only its
    link (``seq``, ``prev``, ``entry``): its hash is not recomputed, the next
    entry's ``prev`` vouches for it."""
    report = HistoryReport(head_seq=start_seq, head_hash=start_hash)
    expected_seq, prev = start_seq + 1, start_hash
    for entry in entries:
        report.entries += 1
        seq = entry.get("seq")
        if seq != expected_seq:
            report.broken_at, report.problem = expected_seq, "sequence"
            return report
        if entry.get("prev") != prev:
            report.broken_at, report.problem = seq, "prev"
            return report
        link = links and entry.keys() == LINK_KEYS and isinstance(entry["entry"], str)
        if not link and (entry.get("op") not in OPS or entry_hash(entry) != entry.get("entry")):
            report.broken_at, report.problem = seq, "entry"
            return report
        prev = entry["entry"]
        expected_seq += 1
        report.head_seq, report.head_hash = seq, prev
    return report


def entry_ok(entry: dict[str, Any]) -> bool:
    """What ``verify_chain`` checks of an entry on its own (not its links):
    a known ``op`` and ``entry`` the hash of the rest."""
    if entry.get("op") not in OPS:
        return False
    body = dict(entry)  # entry_hash's body, copied in one call
    body.pop("entry", None)
    body.pop("id", None)  # then sha256_hex(canonical_json(body)), without the calls
    return _sha256(_dumps(body, option=_SORT_KEYS)).hexdigest() == entry.get("entry")

