"""Opening a bundle file at the office: the checks that come before the
office's own records (sequence, chain), each failure its own
``BundleRejected`` reason, and nothing parsed that was not signed:

1. a regular file no larger than the cap, from its size, before reading
   (``unreadable``, ``too_large``);
2. the age header, bounded (``header_too_large``: a real bundle has one or
   two stanzas), then decryption with the office's identity, streamed from
   the file into memory (``not_age``, ``not_for_us``, ``truncated``,
   ``damaged``), and decompressed as it is decrypted when it is a zstd frame,
   never past the largest tar (``container.Plain``: ``content_too_large``,
   ``damaged``);
3. the tar, walked block by block: exactly ``bundle.json`` and
   ``bundle.json.minisig``, then only zero blocks (``format.unpack_tar``);
4. the signature over the raw bundle.json bytes, with the key enrolled for
   the branch its trusted comment names (``verify``: ``office.checks``);
5. only then bundle.json is parsed, within a memory budget, against the
   schema (``format.decode``), and matched with what the signature said;
6. every record against its kind's record definition (``scope.check_records``).

Nothing decrypted is written anywhere.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from branchtool.bundles import container
from branchtool.bundles import format as fmt
from branchtool.bundles.kinds import check_records
from branchtool.office.model import human_size
from storage import age, minisign
from storage.age.stream import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE
from storage.fsio import open_regular

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
NONCE_SIZE = 16
# A bundle is encrypted to the office and to the branch itself: two X25519
# stanzas of about 130 bytes. Anything far beyond is refused before unwrapping.
MAX_STANZAS = 8
MAX_HEADER = 8 * 1024
# (raw bundle.json, signature text, the bytes' SHA-256 in hex) -> the verified
# signature, or BundleRejected
Verify = Callable[[bytes | bytearray, str, str], minisign.Signature]


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
    json_bytes: bytes | bytearray
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


class _Reader:
    """The bundle file, read once: hashed and counted as it goes, refusing
    to read past ``limit`` (a file that grows while it is read)."""

    def __init__(self, handle: BinaryIO, limit: int) -> None:
        self.handle = handle
        self.limit = limit
        self.size = 0
        self.sha256 = hashlib.sha256()

    def _take(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise fmt.BundleRejected("too_large", limit=human_size(self.limit))
        self.sha256.update(data)

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self._take(data)
        return data

    def readinto(self, view: memoryview) -> int:
        count = self.handle.readinto(view) or 0
        self._take(view[:count])
        return count


def _open(path: Path) -> BinaryIO:
    """The bundle file, if it is a regular file (``fsio.open_regular``)."""
    try:
        return open_regular(path)
    except OSError:
        raise fmt.BundleRejected("unreadable") from None


def _header_size(head: bytes) -> int | None:
    mac = head.find(b"\n--- ")
    if mac < 0:
        return None
    end = head.find(b"\n", mac + 1)
    return None if end < 0 else end + 1


def _failure(exc: age.AgeError, header: int | None, size: int, released: int) -> str:
    """``truncated`` for a copy cut short (the header ends early, or the
    failing chunk is the last, shorter-than-full piece), else ``damaged``."""
    if isinstance(exc, age.PayloadError):
        if header is None:
            return "damaged"
        failed_at = (released // CHUNK_SIZE) * ENCRYPTED_CHUNK_SIZE
        remaining = size - header - NONCE_SIZE - failed_at
        return "truncated" if remaining < ENCRYPTED_CHUNK_SIZE else "damaged"
    if isinstance(exc, age.MissingNonceError) or (
            isinstance(exc, age.HeaderError) and header is None):
        return "truncated"
    return "damaged"


def decrypt_file(path: Path, identity: age.X25519Identity, max_size: int,
                 max_tar: int | None = None) -> tuple[bytearray, int, str]:
    """(the tar, file size, file SHA-256); steps 1 and 2. Shared by the
    branch's reading of an inbox file (``branchtool.inbox.reader``), the
    same construction in the other direction. A compressed plaintext is
    decompressed as it is decrypted, to at most ``max_tar`` bytes (a
    bundle's ``format.MAX_TAR`` unless given)."""
    with _open(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_size:
            raise fmt.BundleRejected("too_large", limit=human_size(max_size))
        head = handle.read(len(ARMOR_MAGIC))
        handle.seek(0)
        reader, plain = _Reader(handle, max_size), container.Plain(
            fmt.MAX_TAR if max_tar is None else max_tar)
        try:
            age.decrypt_stream(reader, plain, [identity],  # type: ignore[arg-type]
                               max_stanzas=MAX_STANZAS, max_header=MAX_HEADER)
        except OSError:
            raise fmt.BundleRejected("unreadable") from None
        except container.Refused as exc:
            raise fmt.refused(exc) from None
        except age.HeaderTooLargeError:
            raise fmt.BundleRejected("header_too_large") from None
        except age.NoIdentityMatchError:
            raise fmt.BundleRejected("not_for_us") from None
        except age.AgeError as exc:
            if not (head.startswith(AGE_MAGIC) or head.startswith(ARMOR_MAGIC)):
                raise fmt.BundleRejected("not_age") from None
            handle.seek(0)
            header = _header_size(handle.read(MAX_HEADER + 64))
            raise fmt.BundleRejected(_failure(exc, header, size, plain.released)) from None
        try:
            tar = plain.finish()
        except container.Refused as exc:
            raise fmt.refused(exc) from None
    return tar, reader.size, reader.sha256.hexdigest()


def open_bundle(path: Path, identity: age.X25519Identity, max_size: int,
                verify: Verify) -> Opened:
    """Steps 1-6 for one file; ``BundleRejected`` with the first failure."""
    plain, size, file_sha256 = decrypt_file(path, identity, max_size)
    json_bytes, signature = fmt.unpack_tar(plain)  # cut out of the tar, not copied
    json_sha256 = hashlib.sha256(json_bytes).hexdigest()
    sig = verify(json_bytes, signature, json_sha256)
    doc = fmt.decode(json_bytes)
    if (sig.trusted_comment != fmt.trusted_comment(doc, json_sha256)
            or doc["signer_key_id"] != sig.key_id):
        raise fmt.BundleRejected("signature")
    check_records(doc)
    return Opened(path, size, file_sha256, json_bytes, json_sha256, signature, doc)
