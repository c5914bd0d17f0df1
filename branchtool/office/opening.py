"""Opening a bundle file at the office: the checks that need no trust store.

In the issue's order, each failure its own ``BundleRejected`` reason:

1. size cap, from the file's size, before reading or decrypting (``too_large``);
2. age decryption with the office's identity, in memory (``not_age``,
   ``not_for_us``, ``truncated``, ``damaged``);
3. the tar: exactly ``bundle.json`` and ``bundle.json.minisig``
   (``format.unpack``);
4. bundle.json against the schema (``format.decode``).

Nothing decrypted is written anywhere.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchtool.bundles import format as fmt
from branchtool.office.model import human_size
from storage import age
from storage.age.stream import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
NONCE_SIZE = 16


@dataclass
class History:
    """What the checks after the signature need of a bundle's history, once
    its own chain was verified and its entries dropped (they can be large)."""

    base: dict[str, Any]
    head: dict[str, Any]
    chain_ok: bool  # the entries chain from base to head
    hashes: list[str]  # each entry's hash, in order
    last_op: dict[str, tuple[str, str, str]]  # record -> (partition, op, time)

    @property
    def entries(self) -> int:
        return len(self.hashes)


@dataclass
class Opened:
    """A bundle that decrypted, unpacked and matched the schema (not yet trusted)."""

    file: Path
    size: int
    file_sha256: str
    json_bytes: bytes
    json_sha256: str
    signature: str
    doc: dict[str, Any]
    history: History | None = field(default=None, repr=False)

    @property
    def code(self) -> str:
        return str(self.doc["branch"]["code"])

    @property
    def sequence(self) -> int:
        return int(self.doc["sequence"])


def read_capped(path: Path, max_size: int) -> bytes:
    """The file's bytes, refusing anything over ``max_size`` unread."""
    try:
        size = path.stat().st_size
        if size > max_size:
            raise fmt.BundleRejected("too_large", limit=human_size(max_size))
        with path.open("rb") as handle:
            data = handle.read(max_size + 1)
    except OSError:
        raise fmt.BundleRejected("unreadable") from None
    if len(data) > max_size:  # it grew while we looked
        raise fmt.BundleRejected("too_large", limit=human_size(max_size))
    return data


class _Counter:
    """A sink that only counts the plaintext it is given (nothing is kept)."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return len(data)


def _header_size(data: bytes) -> int | None:
    mac = data.find(b"\n--- ")
    if mac < 0:
        return None
    end = data.find(b"\n", mac + 1)
    return None if end < 0 else end + 1


def _payload_reason(data: bytes, identity: age.X25519Identity) -> str:
    """After a payload failure: ``truncated`` if the failing chunk is the last,
    shorter-than-full piece of the file (a copy cut short), else ``damaged``."""
    header = _header_size(data)
    if header is None:
        return "damaged"
    sink = _Counter()
    try:
        age.decrypt_stream(io.BytesIO(data), sink, [identity])  # type: ignore[arg-type]
    except age.AgeError:
        pass
    failed_at = (sink.count // CHUNK_SIZE) * ENCRYPTED_CHUNK_SIZE
    remaining = len(data) - header - NONCE_SIZE - failed_at
    return "truncated" if remaining < ENCRYPTED_CHUNK_SIZE else "damaged"


def decrypt(data: bytes, identity: age.X25519Identity) -> bytes:
    try:
        return age.decrypt(data, [identity])
    except age.NoIdentityMatchError:
        raise fmt.BundleRejected("not_for_us") from None
    except age.AgeError as exc:
        if not (data.startswith(AGE_MAGIC) or data.startswith(ARMOR_MAGIC)):
            raise fmt.BundleRejected("not_age") from None
        if isinstance(exc, age.PayloadError):
            raise fmt.BundleRejected(_payload_reason(data, identity)) from None
        if isinstance(exc, age.MissingNonceError) or (
                isinstance(exc, age.HeaderError) and _header_size(data) is None):
            raise fmt.BundleRejected("truncated") from None
        raise fmt.BundleRejected("damaged") from None


def open_bundle(path: Path, identity: age.X25519Identity, max_size: int) -> Opened:
    """Steps 1-4 for one file; ``BundleRejected`` with the first failure."""
    data = read_capped(path, max_size)
    size, file_sha256 = len(data), hashlib.sha256(data).hexdigest()
    tar = decrypt(data, identity)
    del data
    json_bytes, signature = fmt.unpack(tar)
    del tar
    doc = fmt.decode(json_bytes)
    return Opened(path, size, file_sha256, json_bytes,
                  hashlib.sha256(json_bytes).hexdigest(), signature, doc)
