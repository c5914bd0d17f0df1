"""Whole-file and streaming encryption and decryption: header, then payload.

Decryption follows the reference order, so each failure is reported as the
class the CCTV test vectors expect: armor, then header syntax, then the
identities (a malformed stanza of a known type is a header error), then the
header MAC, then the payload nonce, then the STREAM payload.

The public names are exported, with the errors and key types, by the
package (``storage.age``), whose ``__all__`` is the one list of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import BinaryIO, TypeVar

from storage.age import stream
from storage.age.armor import ArmorReader, ArmorWriter, dearmor
from storage.age.armor import armor as _armor
from storage.age.errors import InvalidKeyError, MissingNonceError, NoIdentityMatchError
from storage.age.header import VERSION_PREFIX, Header, encode_header, parse_header, verify_mac
from storage.age.primitives import FILE_KEY_SIZE
from storage.age.scrypt import (
    DEFAULT_MAX_WORK_FACTOR,
    DEFAULT_WORK_FACTOR,
    ScryptIdentity,
    ScryptRecipient,
)
from storage.age.source import Source
from storage.age.stream import NONCE_SIZE, payload_key
from storage.age.x25519 import X25519Identity, X25519Recipient

Recipient = X25519Recipient | ScryptRecipient
Identity = X25519Identity | ScryptIdentity
K = TypeVar("K")
Buffer = bytes | bytearray | memoryview


@lru_cache(maxsize=256)
def _parse_recipient(text: str) -> X25519Recipient:
    # Recipients are public: caching the parsed key makes repeated
    # encrypt(..., ["age1..."]) calls as cheap as passing the parsed object.
    return X25519Recipient.parse(text)


def _parsed(items: Iterable[str | K], kinds: tuple[type[K], ...], parse: Callable[[str], K],
            what: str, plural: str) -> list[K]:
    """Key objects of ``kinds`` as given, text parsed with ``parse``."""
    if isinstance(items, str | bytes):
        raise TypeError(f"{plural} must be a sequence of {plural}, not one string")
    parsed: list[K] = []
    for item in items:
        if isinstance(item, kinds):
            parsed.append(item)
        elif isinstance(item, str):
            parsed.append(parse(item))
        else:
            raise TypeError(f"not an age {what}: {type(item).__name__}")
    return parsed


def _recipients(recipients: Iterable[str | Recipient]) -> list[Recipient]:
    parsed: list[Recipient] = _parsed(recipients, (X25519Recipient, ScryptRecipient),
                                      _parse_recipient, "recipient", "recipients")
    if not parsed:
        raise ValueError("no recipients given")
    if len(parsed) > 1 and any(isinstance(r, ScryptRecipient) for r in parsed):
        raise ValueError("a passphrase must be the file's only recipient")
    return parsed


def _identities(identities: Iterable[str | Identity]) -> list[Identity]:
    return _parsed(identities, (X25519Identity, ScryptIdentity), X25519Identity.parse,
                   "identity", "identities")


def _new_header(recipients: Sequence[Recipient]) -> tuple[bytes, bytes]:
    """A fresh file key and the header wrapping it for every recipient."""
    # "The file key MUST be generated as 16 bytes of CSPRNG output."
    file_key = os.urandom(FILE_KEY_SIZE)
    stanzas = [stanza for r in recipients for stanza in r.wrap(file_key)]
    return encode_header(stanzas, file_key), file_key


def _file_key(header: Header, identities: Sequence[Identity]) -> bytes:
    """Unwrap the file key with the first identity that matches; check the MAC."""
    if not identities:
        # Checked after parsing, as the reference does: a broken file says so.
        raise ValueError("no identities given")
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            verify_mac(file_key, header)
            return file_key
    types = ", ".join(sorted({s.type for s in header.stanzas}))
    raise NoIdentityMatchError(f"no identity matched any of the recipients (stanza types: {types})")


def _is_binary(head: bytes) -> bool:
    # A binary file starts with "age-encryption.org/"; anything else is read
    # as armor (whose parser explains what is wrong with it).
    return VERSION_PREFIX.startswith(head[: len(VERSION_PREFIX)])


class _MemoryReader:
    """read() over a buffer without copying it whole."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size < 0 else self._pos + size
        data = bytes(self._view[self._pos : end])
        self._pos += len(data)
        return data


# -- whole messages -----------------------------------------------------------


def encrypt(
    plaintext: Buffer, recipients: Sequence[str | Recipient], *, armor: bool = False
) -> bytes:
    """Encrypt ``plaintext`` to every recipient (``age1...`` strings or parsed objects)."""
    header, file_key = _new_header(_recipients(recipients))
    nonce = os.urandom(NONCE_SIZE)
    chunks = stream.encrypt_bytes(payload_key(file_key, nonce), plaintext)
    data = b"".join([header, nonce, *chunks])
    return _armor(data) if armor else data


def decrypt(ciphertext: Buffer, identities: Sequence[str | Identity], *,
            max_stanzas: int | None = None, max_header: int | None = None) -> bytes:
    """Decrypt a binary or armored age file; no plaintext unless all of it
    authenticates. ``max_stanzas``/``max_header`` (bytes) bound the header of
    an untrusted file (:class:`HeaderTooLargeError`, before any unwrapping)."""
    ids = _identities(identities)
    view = memoryview(ciphertext).cast("B")
    if not _is_binary(bytes(view[: len(VERSION_PREFIX)])):
        view = memoryview(dearmor(view))
    header = parse_header(Source(_MemoryReader(view)), max_stanzas=max_stanzas,
                          max_size=max_header)
    file_key = _file_key(header, ids)
    payload = view[header.size :]
    if len(payload) < NONCE_SIZE:
        raise MissingNonceError("the file ends before the payload nonce")
    key = payload_key(file_key, bytes(payload[:NONCE_SIZE]))
    return stream.decrypt_bytes(key, payload[NONCE_SIZE:])


def encrypt_with_passphrase(
    plaintext: Buffer,
    passphrase: str | bytes,
    work_factor: int = DEFAULT_WORK_FACTOR,
    *,
    armor: bool = False,
) -> bytes:
    """Encrypt with an scrypt passphrase stanza (work factor = log2 of scrypt's N)."""
    return encrypt(plaintext, [ScryptRecipient(passphrase, work_factor)], armor=armor)


def decrypt_with_passphrase(
    ciphertext: Buffer,
    passphrase: str | bytes,
    max_work_factor: int = DEFAULT_MAX_WORK_FACTOR,
) -> bytes:
    """Decrypt a passphrase-encrypted file, refusing work factors above the maximum."""
    return decrypt(ciphertext, [ScryptIdentity(passphrase, max_work_factor)])


# -- streams ------------------------------------------------------------------


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    recipients: Sequence[str | Recipient] = (),
    *,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    armor: bool = False,
) -> None:
    """Encrypt ``src`` to ``dst`` holding one 64 KiB chunk in memory at a time.

    Give ``recipients`` or ``passphrase`` (a passphrase must be the only recipient).
    """
    all_recipients: list[str | Recipient] = list(recipients)
    if passphrase is not None:
        all_recipients.append(ScryptRecipient(passphrase, work_factor))
    header, file_key = _new_header(_recipients(all_recipients))
    nonce = os.urandom(NONCE_SIZE)
    out: BinaryIO | ArmorWriter = ArmorWriter(dst) if armor else dst
    out.write(header + nonce)
    stream.encrypt_stream(payload_key(file_key, nonce), Source(src), out)
    if isinstance(out, ArmorWriter):
        out.close()


def decrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    identities: Sequence[str | Identity] = (),
    *,
    passphrase: str | bytes | None = None,
    max_work_factor: int = DEFAULT_MAX_WORK_FACTOR,
    max_stanzas: int | None = None,
    max_header: int | None = None,
) -> None:
    """Decrypt ``src`` (binary or armored) to ``dst`` one authenticated chunk at a time.

    Raises at the first failure, after writing the chunks that authenticated
    before it: stream into a temporary destination and discard it on error.
    ``max_stanzas``/``max_header`` bound the header as in :func:`decrypt`.
    """
    all_identities: list[str | Identity] = list(identities)
    if passphrase is not None:
        all_identities.append(ScryptIdentity(passphrase, max_work_factor))
    ids = _identities(all_identities)
    source = Source(src)
    if not _is_binary(source.peek(len(VERSION_PREFIX))):
        source = Source(ArmorReader(source))
    header = parse_header(source, max_stanzas=max_stanzas, max_size=max_header)
    file_key = _file_key(header, ids)
    nonce = source.read(NONCE_SIZE)
    if len(nonce) < NONCE_SIZE:
        raise MissingNonceError("the file ends before the payload nonce")
    stream.decrypt_stream(payload_key(file_key, nonce), source, dst)


# -- keys ---------------------------------------------------------------------


def generate_identity() -> tuple[str, str]:
    """A new X25519 key pair as ``("AGE-SECRET-KEY-1...", "age1...")``."""
    identity = X25519Identity.generate()
    return str(identity), str(identity.recipient())


def identity_to_recipient(identity: str | X25519Identity) -> str:
    """The ``age1...`` recipient of an identity."""
    if isinstance(identity, str):
        identity = X25519Identity.parse(identity)
    return str(identity.recipient())


def parse_identities(text: str) -> list[X25519Identity]:
    """Identities from identity-file text (as ``age-keygen`` writes it).

    One ``AGE-SECRET-KEY-1...`` per line; empty lines and ``#`` comments are skipped.
    """
    identities = [
        X25519Identity.parse(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not identities:
        raise InvalidKeyError("no identities in the text")
    return identities

