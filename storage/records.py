"""Record ids and canonical JSON, shared by the store, its history and bundles."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

import orjson

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, Crockford base32.

    Ids sort by creation time and never depend on TinyDB's doc_id.
    """
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def canonical_json(value: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the bytes every hash is taken over."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_hash(doc: Any) -> str:
    return sha256_hex(canonical_json(doc))


def deep_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (faster than ``copy.deepcopy``)."""
    return orjson.loads(orjson.dumps(value))
