"""The textual age header: version line, recipient stanzas, MAC.

    header = v1-line 1*stanza end
    v1-line = %s"age-encryption.org/v1" LF
    end = "--- " 43base64char LF
    stanza = arg-line *full-line final-line
    arg-line = "-> " argument *(SP argument) LF
    argument = 1*VCHAR
    full-line = 64base64char LF
    final-line = *63base64char LF

(ABNF from the C2SP age spec.) Parsing is strict: exactly this grammar,
canonical unpadded base64, no CR. Because only the canonical encoding parses,
the bytes read are the bytes a re-encoding would give, and the MAC is checked
over them directly: "The MAC is computed with HMAC-SHA-256 over the whole header
up to and including the `---` mark (excluding the space following it)."
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

from storage.age.errors import (
    Base64Error,
    HeaderError,
    HeaderTooLargeError,
    HMACError,
    MalformedHeaderError,
    UnsupportedVersionError,
)
from storage.age.primitives import hkdf
from storage.age.source import LineTooLongError, Source

INTRO = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
STANZA_PREFIX = b"->"
MAC_PREFIX = b"---"
COLUMNS = 64
BYTES_PER_LINE = COLUMNS // 4 * 3  # 48
MAC_SIZE = 32
# No real header line comes near this; it only bounds memory on garbage input.
MAX_LINE = 256 * 1024

_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")
_ARGUMENT = re.compile(rb"[\x21-\x7e]+")  # 1*VCHAR


def b64encode(data: bytes) -> bytes:
    """Unpadded standard base64, as the header uses it."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=")


def b64decode(text: bytes, what: str) -> bytes:
    """Decode unpadded base64, rejecting padding and non-canonical encodings.

    "Encoders MUST generate canonical base64 according to RFC 4648, Section 3.5,
    and decoders MUST reject non-canonical encodings and encodings ending with
    `=` padding characters."
    """
    if len(text) % 4 == 1 or not _BASE64.fullmatch(text):
        raise Base64Error(f"{what} is not valid unpadded base64")
    padded = text + b"=" * (-len(text) % 4)
    data = binascii.a2b_base64(padded, strict_mode=True)
    if binascii.b2a_base64(data, newline=False) != padded:
        raise Base64Error(f"{what} is not canonical base64")
    return data


@dataclass(frozen=True, slots=True)
class Stanza:
    """One recipient stanza: its type (first argument), other arguments, body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        arguments = (self.type, *self.args)
        if not all(_ARGUMENT.fullmatch(a.encode()) for a in arguments):
            raise ValueError("stanza arguments must be non-empty printable ASCII")
        text = b64encode(self.body)
        lines = [text[i : i + COLUMNS] for i in range(0, len(text), COLUMNS)]
        # "The body MUST end with a line shorter than 64 characters, which MAY be empty."
        if len(text) % COLUMNS == 0:
            lines.append(b"")
        return b"-> " + " ".join(arguments).encode() + b"\n" + b"\n".join(lines) + b"\n"


@dataclass(frozen=True, slots=True)
class Header:
    """A parsed header; ``mac_input`` is the header through the ``---`` mark."""

    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes = field(repr=False)
    size: int  # bytes from the start of the file to the payload


def _hmac_key(file_key: bytes) -> bytes:
    # "HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header")"
    return hkdf(file_key, None, b"header")


def header_mac(file_key: bytes, mac_input: bytes) -> bytes:
    h = hmac.HMAC(_hmac_key(file_key), hashes.SHA256())
    h.update(mac_input)
    return h.finalize()


def verify_mac(file_key: bytes, header: Header) -> None:
    """Raise :class:`HMACError` unless the header MAC matches (constant time)."""
    h = hmac.HMAC(_hmac_key(file_key), hashes.SHA256())
    h.update(header.mac_input)
    try:
        h.verify(header.mac)
    except InvalidSignature:
        raise HMACError("header MAC mismatch: the header was altered") from None


def encode_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    """The complete header, MAC line included."""
    if not stanzas:
        raise ValueError("a header needs at least one recipient stanza")
    mac_input = INTRO + b"".join(s.encode() for s in stanzas) + MAC_PREFIX
    return mac_input + b" " + b64encode(header_mac(file_key, mac_input)) + b"\n"


class _Lines:
    """Whole header lines from a :class:`Source`, counted for error messages
    and, given ``max_size``, bounded: reading stops at the first line that
    would take the header past it."""

    def __init__(self, src: Source, max_size: int | None = None) -> None:
        self.src = src
        self.number = 0
        self.read: list[bytes] = []
        self.size = 0
        self.max_size = max_size

    def next(self) -> bytes:
        """The next line without its LF; a header line must end with LF."""
        limit = MAX_LINE
        if self.max_size is not None:
            limit = min(limit, max(self.max_size - self.size, 1))
        try:
            line = self.src.readline(limit)
        except LineTooLongError:
            if self.max_size is not None and limit < MAX_LINE:
                raise HeaderTooLargeError("the header is larger than allowed") from None
            raise MalformedHeaderError(f"header line {self.number + 1} is too long") from None
        if not line.endswith(b"\n"):
            raise MalformedHeaderError("the header is truncated")
        self.number += 1
        self.size += len(line)
        if self.max_size is not None and self.size > self.max_size:
            raise HeaderTooLargeError("the header is larger than allowed")
        self.read.append(line)
        return line[:-1]


def _read_stanza(lines: _Lines) -> Stanza:
    line = lines.next()
    n = lines.number
    if not line.startswith(STANZA_PREFIX):
        raise MalformedHeaderError(f"header line {n}: expected a stanza or the MAC line")
    prefix, *arguments = line.split(b" ")
    # "A recipient stanza starts with `->`, followed after a space by one or
    # more space-separated arguments"
    if prefix != STANZA_PREFIX or not arguments:
        raise MalformedHeaderError(f"header line {n}: malformed stanza line")
    if not all(_ARGUMENT.fullmatch(a) for a in arguments):
        raise MalformedHeaderError(f"header line {n}: invalid stanza argument")
    body = bytearray()
    while True:
        text = lines.next()
        n = lines.number
        if len(text) > COLUMNS:
            raise MalformedHeaderError(f"header line {n}: stanza body line longer than 64 columns")
        if text.startswith((STANZA_PREFIX, MAC_PREFIX)):
            raise MalformedHeaderError(
                f"header line {n}: stanza ended without a short final body line"
            )
        body += b64decode(text, f"header line {n} (stanza body)")
        if len(text) < COLUMNS:
            # "The body MUST end with a line shorter than 64 characters"
            break
    names = [a.decode("ascii") for a in arguments]
    return Stanza(names[0], tuple(names[1:]), bytes(body))


def parse_header(src: Source, *, max_stanzas: int | None = None,
                 max_size: int | None = None) -> Header:
    """Read the header from ``src``, leaving it at the first payload byte.

    ``max_stanzas`` and ``max_size`` (bytes) bound what a caller accepts from
    an untrusted file: :class:`HeaderTooLargeError` is raised as soon as the
    header goes past either, before any stanza is unwrapped."""
    lines = _Lines(src, max_size)
    first = src.peek(len(INTRO))
    if not first:
        raise MalformedHeaderError("the file is empty")
    if first != INTRO:
        if first == INTRO[:-1] + b"\r":
            raise MalformedHeaderError("header lines end in CRLF: the file was altered")
        if first.startswith(VERSION_PREFIX) and len(first) == len(INTRO):
            raise UnsupportedVersionError("unsupported age format version (expected v1)")
        if INTRO.startswith(first):
            raise MalformedHeaderError("the header is truncated")
        raise MalformedHeaderError("not an age file: missing age-encryption.org/v1 line")
    lines.next()

    stanzas: list[Stanza] = []
    while True:
        mark = src.peek(len(MAC_PREFIX))
        if len(mark) < len(MAC_PREFIX):
            raise MalformedHeaderError("the header is truncated")
        if mark != MAC_PREFIX:
            if max_stanzas is not None and len(stanzas) >= max_stanzas:
                raise HeaderTooLargeError(f"the header has more than {max_stanzas} stanzas")
            stanzas.append(_read_stanza(lines))
            continue
        line = lines.next()
        n = lines.number
        prefix, *arguments = line.split(b" ")
        if prefix != MAC_PREFIX or len(arguments) != 1:
            raise MalformedHeaderError(f"header line {n}: malformed MAC line")
        mac = b64decode(arguments[0], f"header line {n} (MAC)")
        if len(mac) != MAC_SIZE:
            raise MalformedHeaderError(f"header line {n}: the MAC has the wrong length")
        break
    if not stanzas:
        # "header = v1-line 1*stanza end"
        raise MalformedHeaderError("the header has no recipient stanzas")
    raw = b"".join(lines.read)
    mac_input = raw[: len(raw) - len(line) - 1 + len(MAC_PREFIX)]
    return Header(tuple(stanzas), mac, mac_input, len(raw))


__all__ = [
    "INTRO",
    "Header",
    "HeaderError",
    "Stanza",
    "b64decode",
    "b64encode",
    "encode_header",
    "header_mac",
    "parse_header",
    "verify_mac",
]
