"""minisign signatures (Ed25519) on `cryptography` primitives.

Formats, as jedisct1/minisign reads and writes them (see docs/formats.md):

public key file (``.pub``)::

    untrusted comment: minisign public key <KEY ID>
    base64("Ed" || key id (8 bytes) || Ed25519 public key (32 bytes))

signature file (``.minisig``)::

    untrusted comment: <free text>
    base64(algorithm (2 bytes) || key id (8 bytes) || signature (64 bytes))
    trusted comment: <free text, covered by the global signature>
    base64(global signature (64 bytes))

The algorithm is ``ED`` (prehashed: Ed25519 over BLAKE2b-512 of the data; what
:func:`sign` writes) or the legacy ``Ed`` (Ed25519 over the data itself),
which the verifiers refuse unless asked (``allow_legacy=True``): branchtool's
files are all ``ED``, and a legacy signature would make a verifier hold and
hash a hostile file whole. The global signature is Ed25519 over ``signature || trusted comment``.

Parsing is strict: exact line counts and prefixes, canonical base64, exact
decoded lengths, known algorithms, minisign's line-length limits. Every failure
raises a specific :class:`MinisignError` subclass (a ``ValueError``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "DEFAULT_UNTRUSTED_COMMENT",
    "BadGlobalSignatureError",
    "BadSignatureError",
    "KeyIdMismatchError",
    "LegacySignatureError",
    "MalformedError",
    "MalformedPublicKeyError",
    "MalformedSecretKeyError",
    "MalformedSignatureError",
    "MinisignError",
    "PublicKey",
    "SecretKey",
    "Signature",
    "UnsupportedAlgorithmError",
    "fingerprint",
    "generate_keypair",
    "key_id",
    "parse_signature",
    "sign",
    "sign_file",
    "sign_stream",
    "verify",
    "verify_file",
    "verify_stream",
]

# --- constants (minisign.h) ---------------------------------------------------

ALG_LEGACY = b"Ed"  # Ed25519 over the message itself
ALG_PREHASHED = b"ED"  # Ed25519 over BLAKE2b-512(message)
KEY_ID_BYTES = 8
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
SIGNATURE_BYTES = 64
PUBLIC_KEY_BLOB_BYTES = 2 + KEY_ID_BYTES + PUBLIC_KEY_BYTES  # 42
SIGNATURE_BLOB_BYTES = 2 + KEY_ID_BYTES + SIGNATURE_BYTES  # 74

UNTRUSTED_PREFIX = b"untrusted comment: "
TRUSTED_PREFIX = b"trusted comment: "
DEFAULT_UNTRUSTED_COMMENT = "signature from minisign secret key"
PUBLIC_KEY_COMMENT = "minisign public key "

# minisign reads the comment lines with fgets() into fixed buffers; a line
# (prefix and end-of-line included) must fit in buffer size - 1 bytes.
COMMENT_MAX_BYTES = 1024  # COMMENTMAXBYTES
TRUSTED_COMMENT_MAX_BYTES = 8192  # TRUSTEDCOMMENTMAXBYTES
_UNTRUSTED_LINE_MAX = COMMENT_MAX_BYTES - 1
_TRUSTED_LINE_MAX = TRUSTED_COMMENT_MAX_BYTES - 1
# The longest comments sign() writes (LF-terminated lines within those limits).
MAX_UNTRUSTED_COMMENT_BYTES = _UNTRUSTED_LINE_MAX - len(UNTRUSTED_PREFIX) - 1  # 1003
MAX_TRUSTED_COMMENT_BYTES = _TRUSTED_LINE_MAX - len(TRUSTED_PREFIX) - 1  # 8173

_SECRET_KEY_HEADER = "branchtool minisign secret key v1"
_CHUNK = 1 << 20


# --- errors -------------------------------------------------------------------


class MinisignError(ValueError):
    """Base class of every minisign failure."""


class MalformedError(MinisignError):
    """Text that is not a well-formed minisign key or signature."""


class MalformedPublicKeyError(MalformedError):
    """The public key text is malformed."""


class MalformedSignatureError(MalformedError):
    """The signature text is malformed."""


class MalformedSecretKeyError(MalformedError):
    """The secret key text (branchtool's own form) is malformed."""


class UnsupportedAlgorithmError(MalformedSignatureError, MalformedPublicKeyError):
    """A key or signature names an algorithm other than ``Ed``/``ED``."""


class LegacySignatureError(MinisignError):
    """A legacy (non-prehashed ``Ed``) signature where only ``ED`` is allowed."""


class KeyIdMismatchError(MinisignError):
    """The signature was made by a key other than the one given."""

    def __init__(self, signature_key_id: str, public_key_id: str) -> None:
        super().__init__(
            f"signature key id {signature_key_id} does not match public key id {public_key_id}"
        )
        self.signature_key_id = signature_key_id
        self.public_key_id = public_key_id


class BadSignatureError(MinisignError):
    """The signature does not verify: the data was altered (or is not what was signed)."""


class BadGlobalSignatureError(MinisignError):
    """The global signature does not verify: the trusted comment was altered."""


# --- helpers ------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: bytes, expected_len: int, what: str, exc: type[MalformedError]) -> bytes:
    """Decode canonical, padded standard base64 of exactly ``expected_len`` bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise exc(f"{what}: invalid base64") from None
    if base64.b64encode(raw) != text:
        raise exc(f"{what}: non-canonical base64")
    if len(raw) != expected_len:
        raise exc(f"{what}: decodes to {len(raw)} bytes, expected {expected_len}")
    return raw


def _to_bytes(text: str | bytes, what: str, exc: type[MalformedError]) -> bytes:
    if isinstance(text, bytes | bytearray | memoryview):
        return bytes(text)
    if not isinstance(text, str):
        raise TypeError(f"{what} must be str or bytes, not {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise exc(f"{what}: not encodable as UTF-8") from None


def _split_lines(data: bytes, count: int, what: str, exc: type[MalformedError]) -> list[bytes]:
    """Split into exactly ``count`` lines ending in LF or CRLF.

    The final line's end-of-line is optional. Returns each line with its
    end-of-line removed; a lone CR anywhere is rejected (as minisign does).
    """
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the final newline
    if len(lines) != count:
        raise exc(f"{what}: expected {count} lines, found {len(lines)}")
    out = []
    for i, line in enumerate(lines, 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if b"\r" in line:
            raise exc(f"{what}: stray carriage return on line {i}")
        out.append(line)
    return out


def _key_id_hex(raw: bytes) -> str:
    """The key id as minisign prints it: the 8 bytes read as a little-endian uint64."""
    return raw[::-1].hex().upper()


def _is_printable(text: str) -> bool:
    """minisign's rule for trusted comments: no control characters except TAB."""
    for ch in text:
        cp = ord(ch)
        if ch == "\t":
            continue
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            return False
    return True


def _check_comment(
    comment: str, prefix: bytes, line_max: int, what: str, *, printable: bool
) -> bytes:
    if not isinstance(comment, str):
        raise TypeError(f"{what} must be str, not {type(comment).__name__}")
    if "\n" in comment or "\r" in comment:
        raise ValueError(f"{what} must be one line (no CR or LF)")
    if printable and not _is_printable(comment):
        raise ValueError(f"{what} must not contain control characters other than TAB")
    try:
        raw = comment.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not encodable as UTF-8") from None
    if len(prefix) + len(raw) + 1 > line_max:
        raise ValueError(
            f"{what} too long ({len(raw)} bytes, at most {line_max - len(prefix) - 1})"
        )
    return raw


def _prehash_init() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=64)


def _read_chunks(src: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = src.read(_CHUNK)
        if not chunk:
            return
        yield chunk


# --- keys ---------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """A minisign Ed25519 public key."""

    key_id_bytes: bytes
    public_bytes: bytes

    def __post_init__(self) -> None:
        if len(self.key_id_bytes) != KEY_ID_BYTES:
            raise MalformedPublicKeyError(f"key id must be {KEY_ID_BYTES} bytes")
        if len(self.public_bytes) != PUBLIC_KEY_BYTES:
            raise MalformedPublicKeyError(f"public key must be {PUBLIC_KEY_BYTES} bytes")

    @property
    def key_id(self) -> str:
        """16 uppercase hex digits, as minisign prints the key id."""
        return _key_id_hex(self.key_id_bytes)

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self)

    def blob(self) -> bytes:
        return ALG_LEGACY + self.key_id_bytes + self.public_bytes

    def to_base64(self) -> str:
        """The one-line form ``minisign -P`` takes."""
        return _b64encode(self.blob())

    def to_text(self) -> str:
        """The ``.pub`` file text, byte for byte as ``minisign -G`` writes it."""
        return f"untrusted comment: {PUBLIC_KEY_COMMENT}{self.key_id}\n{self.to_base64()}\n"

    @classmethod
    def from_base64(cls, text: str | bytes) -> PublicKey:
        """Parse the one-line base64 form (``minisign -P``)."""
        raw = _to_bytes(text, "public key", MalformedPublicKeyError)
        return cls._from_blob_b64(raw)

    @classmethod
    def _from_blob_b64(cls, line: bytes) -> PublicKey:
        blob = _b64decode(line, PUBLIC_KEY_BLOB_BYTES, "public key", MalformedPublicKeyError)
        if blob[:2] != ALG_LEGACY:
            raise UnsupportedAlgorithmError(
                f"public key: unsupported signature algorithm {blob[:2]!r}"
            )
        return cls(blob[2:10], blob[10:])

    @classmethod
    def parse(cls, text: str | bytes | PublicKey) -> PublicKey:
        """Parse ``.pub`` file text: an untrusted comment line and a base64 line."""
        if isinstance(text, PublicKey):
            return text
        raw = _to_bytes(text, "public key", MalformedPublicKeyError)
        comment, line = _split_lines(raw, 2, "public key", MalformedPublicKeyError)
        if not comment.startswith(UNTRUSTED_PREFIX):
            raise MalformedPublicKeyError(
                "public key: first line must start with 'untrusted comment: '"
            )
        if len(comment) + 1 > _UNTRUSTED_LINE_MAX:
            raise MalformedPublicKeyError("public key: comment line too long")
        return cls._from_blob_b64(line)

    def _ed25519(self) -> Ed25519PublicKey:
        try:
            return Ed25519PublicKey.from_public_bytes(self.public_bytes)
        except ValueError:
            raise MalformedPublicKeyError("public key: not a valid Ed25519 key") from None


@dataclass(frozen=True)
class SecretKey:
    """A minisign signing key: the key id and the Ed25519 private seed."""

    key_id_bytes: bytes
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key_id_bytes) != KEY_ID_BYTES:
            raise MalformedSecretKeyError(f"key id must be {KEY_ID_BYTES} bytes")
        if len(self.seed) != SEED_BYTES:
            raise MalformedSecretKeyError(f"seed must be {SEED_BYTES} bytes")

    def __repr__(self) -> str:
        return f"SecretKey(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(secrets.token_bytes(KEY_ID_BYTES), secrets.token_bytes(SEED_BYTES))

    @property
    def key_id(self) -> str:
        return _key_id_hex(self.key_id_bytes)

    def _ed25519(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def public_key(self) -> PublicKey:
        pk = self._ed25519().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKey(self.key_id_bytes, pk)

    def public_key_text(self) -> str:
        return self.public_key().to_text()

    def to_text(self) -> str:
        """Branchtool's self-describing text form (kept inside age files).

        ::

            branchtool minisign secret key v1
            key id: <16 hex, as minisign prints it>
            seed: <base64 of the 32-byte Ed25519 seed>
            public key: <base64 of the public key, as on the .pub's second line>
        """
        return (
            f"{_SECRET_KEY_HEADER}\n"
            f"key id: {self.key_id}\n"
            f"seed: {_b64encode(self.seed)}\n"
            f"public key: {self.public_key().to_base64()}\n"
        )

    @classmethod
    def from_text(cls, text: str | bytes) -> SecretKey:
        raw = _to_bytes(text, "secret key", MalformedSecretKeyError)
        lines = _split_lines(raw, 4, "secret key", MalformedSecretKeyError)
        if lines[0] != _SECRET_KEY_HEADER.encode():
            raise MalformedSecretKeyError("secret key: unknown header line")
        fields = {}
        for line, name in zip(lines[1:], (b"key id: ", b"seed: ", b"public key: "), strict=True):
            if not line.startswith(name):
                raise MalformedSecretKeyError(f"secret key: expected {name.decode().strip()!r}")
            fields[name] = line[len(name) :]
        kid_text = fields[b"key id: "]
        if len(kid_text) != 2 * KEY_ID_BYTES or kid_text.upper() != kid_text:
            raise MalformedSecretKeyError("secret key: key id must be 16 uppercase hex digits")
        try:
            kid = bytes.fromhex(kid_text.decode("ascii"))[::-1]
        except ValueError:
            raise MalformedSecretKeyError("secret key: key id is not hex") from None
        seed = _b64decode(fields[b"seed: "], SEED_BYTES, "secret key seed", MalformedSecretKeyError)
        key = cls(kid, seed)
        try:
            pub = PublicKey._from_blob_b64(fields[b"public key: "])
        except MalformedError as e:
            raise MalformedSecretKeyError(f"secret key: {e}") from None
        if pub != key.public_key():
            raise MalformedSecretKeyError("secret key: public key does not match the seed")
        return key


def generate_keypair() -> tuple[SecretKey, str]:
    """A new key: (secret key, ``.pub`` file text exactly as minisign writes it)."""
    secret = SecretKey.generate()
    return secret, secret.public_key_text()


def key_id(public_key_text: str | bytes | PublicKey) -> str:
    """The key id as minisign prints it (16 uppercase hex digits)."""
    return PublicKey.parse(public_key_text).key_id


def _fingerprint(pk: PublicKey) -> str:
    digest = hashlib.sha256(pk.blob()).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def fingerprint(public_key_text: str | bytes | PublicKey) -> str:
    """A human-comparable fingerprint of the whole public key.

    The first 128 bits of SHA-256 over the decoded key (``"Ed" || key id ||
    public key``), as 8 groups of 4 uppercase hex digits. Unlike the key id
    (8 bytes anyone can choose), it commits to the Ed25519 key itself. By hand::

        tail -n 1 key.pub | base64 -d | sha256sum | cut -c 1-32
    """
    return _fingerprint(PublicKey.parse(public_key_text))


# --- signatures ---------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """A parsed ``.minisig`` file."""

    algorithm: bytes  # b"ED" or b"Ed"
    key_id_bytes: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes
    untrusted_comment: str  # decoded leniently (invalid UTF-8 replaced); not authenticated

    @property
    def key_id(self) -> str:
        return _key_id_hex(self.key_id_bytes)

    @property
    def prehashed(self) -> bool:
        return self.algorithm == ALG_PREHASHED

    def to_text(self) -> str:
        return _signature_text(
            self.algorithm + self.key_id_bytes + self.signature,
            self.untrusted_comment,
            self.trusted_comment,
            self.global_signature,
        )


def _signature_text(blob: bytes, untrusted: str, trusted: str, global_sig: bytes) -> str:
    return (
        f"untrusted comment: {untrusted}\n"
        f"{_b64encode(blob)}\n"
        f"trusted comment: {trusted}\n"
        f"{_b64encode(global_sig)}\n"
    )


def parse_signature(signature_text: str | bytes) -> Signature:
    """Parse ``.minisig`` text strictly; raises :class:`MalformedSignatureError`."""
    E = MalformedSignatureError
    raw = _to_bytes(signature_text, "signature", E)
    # Line lengths as minisign's fgets() buffers allow, end-of-line included.
    raw_lines = raw.split(b"\n")
    untrusted, sig_line, trusted, global_line = _split_lines(raw, 4, "signature", E)
    if not untrusted.startswith(UNTRUSTED_PREFIX):
        raise E("signature: line 1 must start with 'untrusted comment: '")
    if len(raw_lines[0]) + 1 > _UNTRUSTED_LINE_MAX:
        raise E("signature: untrusted comment too long")
    if not trusted.startswith(TRUSTED_PREFIX):
        raise E("signature: line 3 must start with 'trusted comment: '")
    if len(raw_lines[2]) + 1 > _TRUSTED_LINE_MAX:
        raise E("signature: trusted comment too long")
    trusted_raw = trusted[len(TRUSTED_PREFIX) :]
    try:
        trusted_text = trusted_raw.decode("utf-8")
    except UnicodeDecodeError:
        raise E("signature: trusted comment is not UTF-8") from None
    if not _is_printable(trusted_text):
        raise E("signature: trusted comment contains control characters")
    blob = _b64decode(sig_line, SIGNATURE_BLOB_BYTES, "signature", E)
    algorithm = blob[:2]
    if algorithm not in (ALG_PREHASHED, ALG_LEGACY):
        raise UnsupportedAlgorithmError(f"signature: unsupported algorithm {algorithm!r}")
    global_sig = _b64decode(global_line, SIGNATURE_BYTES, "global signature", E)
    return Signature(
        algorithm=algorithm,
        key_id_bytes=blob[2:10],
        signature=blob[10:],
        trusted_comment=trusted_text,
        global_signature=global_sig,
        untrusted_comment=untrusted[len(UNTRUSTED_PREFIX) :].decode("utf-8", "replace"),
    )


def _sign_message(
    message: bytes,
    algorithm: bytes,
    secret: SecretKey,
    trusted_comment: str,
    untrusted_comment: str | None,
) -> str:
    if not isinstance(secret, SecretKey):
        raise TypeError(f"secret must be a SecretKey, not {type(secret).__name__}")
    if untrusted_comment is None:
        untrusted_comment = DEFAULT_UNTRUSTED_COMMENT
    trusted_raw = _check_comment(
        trusted_comment, TRUSTED_PREFIX, _TRUSTED_LINE_MAX, "trusted comment", printable=True
    )
    _check_comment(
        untrusted_comment,
        UNTRUSTED_PREFIX,
        _UNTRUSTED_LINE_MAX,
        "untrusted comment",
        printable=False,
    )
    key = secret._ed25519()
    sig = key.sign(message)
    global_sig = key.sign(sig + trusted_raw)
    return _signature_text(
        algorithm + secret.key_id_bytes + sig, untrusted_comment, trusted_comment, global_sig
    )


def sign(
    data: bytes,
    secret: SecretKey,
    trusted_comment: str,
    untrusted_comment: str | None = None,
) -> str:
    """Sign ``data``; returns ``.minisig`` text in the prehashed ``ED`` form.

    ``trusted_comment`` is authenticated (one line, no control characters but
    TAB, at most 8173 UTF-8 bytes); ``untrusted_comment`` is not (one line, at
    most 1003 bytes; defaults to minisign's "signature from minisign secret key").
    Raises ``ValueError`` for a comment that breaks those rules.
    """
    h = _prehash_init()
    h.update(data)
    return _sign_message(h.digest(), ALG_PREHASHED, secret, trusted_comment, untrusted_comment)


def sign_stream(
    src: BinaryIO,
    secret: SecretKey,
    trusted_comment: str,
    untrusted_comment: str | None = None,
) -> str:
    """Like :func:`sign`, reading the data from ``src`` in chunks (constant memory)."""
    h = _prehash_init()
    for chunk in _read_chunks(src):
        h.update(chunk)
    return _sign_message(h.digest(), ALG_PREHASHED, secret, trusted_comment, untrusted_comment)


def sign_file(
    path: str | os.PathLike[str],
    secret: SecretKey,
    trusted_comment: str,
    untrusted_comment: str | None = None,
) -> str:
    """Like :func:`sign` for the contents of the file at ``path``."""
    with Path(path).open("rb") as f:
        return sign_stream(f, secret, trusted_comment, untrusted_comment)


def _verify_parsed(sig: Signature, pk: PublicKey, message_for: bytes) -> str:
    ed = pk._ed25519()
    try:
        ed.verify(sig.signature, message_for)
    except InvalidSignature:
        raise BadSignatureError(
            "signature verification failed: the data does not match the signature"
        ) from None
    try:
        ed.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode("utf-8"))
    except InvalidSignature:
        raise BadGlobalSignatureError(
            "comment signature verification failed: the trusted comment was altered"
        ) from None
    return sig.trusted_comment


def _prepare(
    signature_text: str | bytes | Signature,
    public_key_text: str | bytes | PublicKey,
    allow_legacy: bool,
) -> tuple[Signature, PublicKey]:
    sig = (
        signature_text if isinstance(signature_text, Signature) else parse_signature(signature_text)
    )
    pk = PublicKey.parse(public_key_text)
    if not sig.prehashed and not allow_legacy:
        raise LegacySignatureError("legacy (non-prehashed) signature found")
    if not hmac.compare_digest(sig.key_id_bytes, pk.key_id_bytes):
        raise KeyIdMismatchError(sig.key_id, pk.key_id)
    return sig, pk


def verify(
    data: bytes,
    signature_text: str | bytes | Signature,
    public_key_text: str | bytes | PublicKey,
    *,
    allow_legacy: bool = False,
) -> str:
    """Verify a ``.minisig`` over ``data``; returns the trusted comment.

    Accepts the prehashed ``ED`` form (like ``minisign -V -H``) and, only with
    ``allow_legacy=True``, the legacy ``Ed`` form. Raises
    :class:`MalformedSignatureError` / :class:`MalformedPublicKeyError`,
    :class:`LegacySignatureError`, :class:`KeyIdMismatchError`,
    :class:`BadSignatureError` (data altered) or
    :class:`BadGlobalSignatureError` (trusted comment altered).
    """
    return _verify_chunks((data,), signature_text, public_key_text, allow_legacy)


def verify_stream(
    src: BinaryIO,
    signature_text: str | bytes | Signature,
    public_key_text: str | bytes | PublicKey,
    *,
    allow_legacy: bool = False,
) -> str:
    """Like :func:`verify`, reading the data from ``src``.

    ``ED`` signatures are checked in constant memory; a legacy ``Ed``
    signature needs the whole data in memory (Ed25519 is not streamable).
    """
    return _verify_chunks(_read_chunks(src), signature_text, public_key_text, allow_legacy)


def _verify_chunks(
    chunks: Iterable[bytes],
    signature_text: str | bytes | Signature,
    public_key_text: str | bytes | PublicKey,
    allow_legacy: bool,
) -> str:
    """The data as ``chunks``: hashed as they come for an ``ED`` signature,
    joined for a legacy ``Ed`` one (Ed25519 is not streamable)."""
    sig, pk = _prepare(signature_text, public_key_text, allow_legacy)
    if sig.prehashed:
        h = _prehash_init()
        for chunk in chunks:
            h.update(chunk)
        return _verify_parsed(sig, pk, h.digest())
    return _verify_parsed(sig, pk, b"".join(chunks))


def verify_file(
    path: str | os.PathLike[str],
    signature_text: str | bytes | Signature,
    public_key_text: str | bytes | PublicKey,
    *,
    allow_legacy: bool = False,
) -> str:
    """Like :func:`verify` for the contents of the file at ``path``."""
    with Path(path).open("rb") as f:
        return verify_stream(f, signature_text, public_key_text, allow_legacy=allow_legacy)
