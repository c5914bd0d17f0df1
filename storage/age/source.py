"""A small buffered reader over any binary source.

The header and the armor are line-oriented, the payload is read in 64 KiB
chunks: :class:`Source` serves both from one buffer, so no byte read ahead
while parsing the header is lost, and bulk reads go straight into the caller's
buffer once the look-ahead is used up.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

READ_SIZE = 64 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class LineTooLongError(ValueError):
    """A line is longer than the caller's limit."""


class Source:
    """Buffered reads of lines and exact-size blocks from a binary stream."""

    __slots__ = ("_buf", "_eof", "_pos", "_raw")

    def __init__(self, raw: BinaryIO | Readable) -> None:
        self._raw = raw
        self._buf = b""
        self._pos = 0
        self._eof = False

    def _fill(self) -> bool:
        """Append one read from the raw stream to the buffer; False at EOF."""
        if self._eof:
            return False
        data = self._raw.read(READ_SIZE)
        if not data:
            self._eof = True
            return False
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def readline(self, limit: int) -> bytes:
        """The next line with its ``\\n``; at EOF what is left (maybe ``b""``)."""
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0:
                if end - self._pos >= limit:
                    raise LineTooLongError
                line = self._buf[self._pos : end + 1]
                self._pos = end + 1
                return line
            if len(self._buf) - self._pos > limit:
                raise LineTooLongError
            if not self._fill():
                line = self._buf[self._pos :]
                self._pos = len(self._buf)
                return line

    def peek(self, size: int) -> bytes:
        """Up to ``size`` bytes without consuming them (fewer only at EOF)."""
        while len(self._buf) - self._pos < size and self._fill():
            pass
        return self._buf[self._pos : self._pos + size]

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at EOF)."""
        data = self.peek(size)
        self._pos += len(data)
        return data

    def readinto(self, view: memoryview) -> int:
        """Fill ``view`` completely; return how many bytes were read (fewer only at EOF)."""
        total = len(view)
        n = min(total, len(self._buf) - self._pos)
        if n:
            view[:n] = self._buf[self._pos : self._pos + n]
            self._pos += n
        if self._pos == len(self._buf):
            self._buf, self._pos = b"", 0
        if n == total or self._eof:
            return n
        raw_readinto = getattr(self._raw, "readinto", None)
        while n < total:
            if raw_readinto is not None:
                got = raw_readinto(view[n:])
            else:
                data = self._raw.read(total - n)
                got = len(data)
                view[n : n + got] = data
            if not got:
                self._eof = True
                break
            n += got
        return n
