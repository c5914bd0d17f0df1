"""Record ids and canonical JSON, shared by the store, its history and bundles."""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from typing import Any

import orjson

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # every 10-bit value


def new_id() -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, 26 Crockford base32
    digits. Ids sort by creation time and never depend on TinyDB's doc_id."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    # 128 bits as 26 five-bit digits (the first holds the top 3 bits), two at a time.
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(120, -1, -10)])


def canonical_json(value: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the bytes every hash is taken over."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_hash(doc: Any) -> str:
    """Unkeyed SHA-256 of a record: what history entries carried before
    version 2 of the history (still accepted when a vault checks itself)."""
    return sha256_hex(canonical_json(doc))


def keyed_record_hash(key: bytes, doc: Any) -> str:
    """HMAC-SHA-256 of a record's canonical JSON under the vault's own secret
    history key: the office can compare two of a record's hashes, but cannot
    confirm a guess of a field the bundle withheld."""
    return keyed_hash(key, canonical_json(doc))


def keyed_hash(key: bytes, data: bytes) -> str:
    """``keyed_record_hash`` of the document whose canonical JSON is ``data``."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def deep_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (faster than ``copy.deepcopy``)."""
    return orjson.loads(orjson.dumps(value))
