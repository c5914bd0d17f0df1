"""The ASCII armor: strict PEM with the label "AGE ENCRYPTED FILE".

"age files that need to be transmitted as 7-bit ASCII SHOULD be encoded
according to the strict PEM encoding specified in RFC 7468, Section 3, with
case-sensitive label "AGE ENCRYPTED FILE". [...] age implementations SHOULD
reject non-canonical ASCII armor encodings except for whitespace before and
after the PEM block, and MAY choose to accept both LF and CRLF line endings."
(C2SP age spec)

So: 64-column lines of padded, canonical base64, every line full but the last,
no headers, no empty lines; LF or CRLF; up to 1 KiB of whitespace before and
after the block, nothing else.
"""

from __future__ import annotations

import binascii
import io
from collections.abc import Iterator
from typing import BinaryIO

from storage.age.errors import ArmorError
from storage.age.source import LineTooLongError, Readable, Source

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
COLUMNS = 64
BYTES_PER_LINE = COLUMNS // 4 * 3  # 48
MAX_WHITESPACE = 1024
# Decode this many full lines at a time (48 KiB of output).
LINES_PER_BLOCK = 1024
# ArmorWriter encodes this many whole lines at a time.
WRITE_LINES = 64
# Longer lines are rejected anyway; this only bounds the look-ahead buffer.
_LINE_LIMIT = 4096


def _wrap(encoded: bytes) -> bytes:
    """Base64 text split into 64-column lines, each ending in LF."""
    return b"".join(
        encoded[i : i + COLUMNS] + b"\n" for i in range(0, len(encoded), COLUMNS)
    )


def armor(data: bytes) -> bytes:
    """The armored form of a binary age file."""
    return BEGIN + b"\n" + _wrap(binascii.b2a_base64(data, newline=False)) + END + b"\n"


class ArmorWriter:
    """Streams the armored form of what is written to ``dst``; call :meth:`close`."""

    def __init__(self, dst: BinaryIO) -> None:
        self._dst = dst
        self._pending = bytearray()
        dst.write(BEGIN + b"\n")

    def write(self, data: bytes | memoryview) -> None:
        self._pending += data
        # Encode whole lines only, so every line but the last is full.
        block = BYTES_PER_LINE * WRITE_LINES
        usable = len(self._pending) // block * block
        if usable:
            with memoryview(self._pending) as view:
                text = _wrap(binascii.b2a_base64(view[:usable], newline=False))
            del self._pending[:usable]
            self._dst.write(text)

    def close(self) -> None:
        text = _wrap(binascii.b2a_base64(self._pending, newline=False))
        self._pending.clear()
        self._dst.write(text + END + b"\n")


def _chomp(line: bytes) -> bytes:
    # Go's reference reader trims "\n", then one "\r": LF and CRLF both work.
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line


def _decode(lines: list[bytes]) -> bytes:
    text = b"".join(lines)
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:
        raise ArmorError("invalid armor: malformed base64") from None
    if text.endswith(b"="):
        # Canonical base64 (RFC 4648, 3.5): the unused bits of the last group are zero.
        tail = data[-1:] if text.endswith(b"==") else data[-2:]
        if binascii.b2a_base64(tail, newline=False) != text[-4:]:
            raise ArmorError("invalid armor: non-canonical base64")
    return data


class _Lines:
    """Numbered, chomped lines of the armored text."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.number = 0

    def next(self) -> bytes:
        try:
            raw = self.src.readline(_LINE_LIMIT)
        except LineTooLongError:
            raise ArmorError(f"invalid armor: line {self.number + 1} is too long") from None
        if not raw:
            raise ArmorError("invalid armor: unexpected end of file (no END line)")
        self.number += 1
        return _chomp(raw)


def _drain_trailing(src: Source) -> None:
    rest = src.read(MAX_WHITESPACE)
    if rest.strip():
        raise ArmorError("invalid armor: trailing data after the END line")
    if len(rest) == MAX_WHITESPACE:
        raise ArmorError("invalid armor: too much trailing whitespace")


def decode_blocks(src: Source) -> Iterator[bytes]:
    """Yield the decoded bytes of an armored file in blocks, checking as it goes."""
    lines = _Lines(src)
    removed = 0
    while True:
        line = lines.next()
        if not line.strip():  # whitespace before the block is allowed
            removed += len(line) + 1
            if removed > MAX_WHITESPACE:
                raise ArmorError("invalid armor: too much leading whitespace")
            continue
        if line != BEGIN:
            raise ArmorError("invalid armor: the first line is not the BEGIN line")
        break

    block: list[bytes] = []
    while True:
        line = lines.next()
        if len(line) == COLUMNS and not line.endswith(b"="):
            block.append(line)
            if len(block) == LINES_PER_BLOCK:
                yield _decode(block)
                block = []
            continue
        if line == END:
            yield _decode(block)
            _drain_trailing(src)
            return
        if not line:
            raise ArmorError(f"invalid armor: empty line {lines.number}")
        if len(line) > COLUMNS:
            raise ArmorError(f"invalid armor: line {lines.number} exceeds {COLUMNS} columns")
        # A short (or padded) line is the last one: the END line must follow.
        block.append(line)
        yield _decode(block)
        if lines.next() != END:
            raise ArmorError(f"invalid armor: line {lines.number} should be the END line")
        _drain_trailing(src)
        return


class ArmorReader:
    """A file-like reader of the binary age file inside an armored stream."""

    def __init__(self, src: BinaryIO | Readable | Source) -> None:
        self._blocks = decode_blocks(src if isinstance(src, Source) else Source(src))
        self._pending = memoryview(b"")
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            out = io.BytesIO()
            while chunk := self.read(1 << 20):
                out.write(chunk)
            return out.getvalue()
        while not self._pending and not self._done:
            block = next(self._blocks, None)
            if block is None:
                self._done = True
            else:
                self._pending = memoryview(block)
        data = bytes(self._pending[:size])
        self._pending = self._pending[size:]
        return data


def dearmor(data: bytes | bytearray | memoryview) -> bytes:
    """The binary age file inside an armored one; raises :class:`ArmorError`."""
    return b"".join(decode_blocks(Source(io.BytesIO(data))))
