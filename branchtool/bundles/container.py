"""What a bundle's (and an inbox file's) age message holds: the tar, compressed.

Written since issue 19 as one standard zstd frame (RFC 8878) holding the
tar, its size in the frame header: a ``.tar.zst`` inside age, opened by hand
with ``age -d -i key X.bundle.age | zstd -d | tar x``. Read: that, or the
bare tar written before (a tar begins with its first member's name, never
with the zstd magic bytes ``28 B5 2F FD``).

Reading a frame is bounded whatever the frame claims. The decrypted bytes
are decompressed as they arrive, in pieces small enough that what one piece
can expand to (at most ``RATIO`` times its size: a 4-byte RLE block makes a
128 KiB block) fits in what is left of ``limit``, and in ``MAX_OUT`` (each
piece's output is held once more while it is appended); the output past
``limit`` is refused (``too_large``) before it is ever held. The window a frame may ask
the decoder to allocate is at most ``MAX_WINDOW`` (what ``zstd -19`` uses).
Exactly one frame, then nothing: a truncated frame, a frame whose stated
size is not what it holds, a second frame or a skippable frame (which
``zstd -d`` would pass over silently) are all ``damaged``.
"""

from __future__ import annotations

import zstandard

from storage import compression

MAGIC = compression.MAGIC
RATIO = 1 << 15  # the most one zstd byte expands to (4 bytes -> a 128 KiB RLE block)
MIN_PIECE = 64  # never feed less: at most 2 MiB of output past the limit
MAX_OUT = 16 << 20  # what one piece may expand to (512 bytes in): held once more while appended
MAX_WINDOW = 8 << 20  # zstd -19's; the default level writes 2 MiB at most
HEADER_MAX = 18  # a frame header's largest size (RFC 8878 3.1.1.1)


class Refused(ValueError):
    """A compressed plaintext that must not be read; ``reason`` is
    ``damaged`` or ``too_large`` (the caller tells it in its own words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def seal(tar: bytes) -> bytes:
    """The tar as one zstd frame (level 3, its size in the header)."""
    return compression.compress(tar)


def _skippable(head: bytes | bytearray) -> bool:
    """A skippable frame's magic, ``5? 2A 4D 18``: ``zstd -d`` passes over it."""
    return len(head) >= 4 and head[0] & 0xF0 == 0x50 and bytes(head[1:4]) == b"\x2a\x4d\x18"


class Plain:
    """The sink ``age.decrypt_stream`` writes the plaintext to: kept as it is
    when it is a bare tar, decompressed as it arrives when it is a zstd
    frame. ``finish()`` gives the tar."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()  # the tar
        self.released = 0  # plaintext bytes written to us (compressed or not)
        self._compressed: bool | None = None  # not known before 4 bytes
        self._frame: zstandard.ZstdDecompressionObj | None = None
        self._header = bytearray()  # a frame's first bytes, until its header is whole
        self._stated = -1  # the content size the frame header states, -1: none

    def write(self, data: bytes | bytearray | memoryview) -> int:
        count = len(data)
        self.released += count
        if self._compressed is None:
            self.data += data
            if len(self.data) < len(MAGIC):
                return count
            head, self.data = self.data, bytearray()
            self._start(head)
            data = head
        if not self._compressed:
            self.data += data
        elif self._frame is not None:
            self._feed(memoryview(data))
        else:
            self._header += data
            if len(self._header) >= HEADER_MAX:
                self._open_frame(bytes(self._header[:HEADER_MAX]))
                header, self._header = self._header, bytearray()
                self._feed(memoryview(header))
        return count

    def _start(self, head: bytearray) -> None:
        if _skippable(head):
            raise Refused("damaged")
        self._compressed = head.startswith(MAGIC)

    def _open_frame(self, header: bytes) -> None:
        """The decoder, once the frame header (at most 18 bytes) is here: a
        frame stating more than ``limit`` is refused before any decoding."""
        try:
            self._stated = zstandard.frame_content_size(header)
        except zstandard.ZstdError:
            self._stated = -1  # a broken header: the decoder says so
        if self._stated > self.limit:
            raise Refused("too_large")
        self._frame = zstandard.ZstdDecompressor(
            max_window_size=MAX_WINDOW).decompressobj(read_across_frames=False)

    def _feed(self, view: memoryview) -> None:
        frame = self._frame
        assert frame is not None
        at = 0
        while at < len(view):
            if frame.eof:  # a second frame, a skippable one, anything
                raise Refused("damaged")
            room = min(self.limit - len(self.data), MAX_OUT)
            step = max(MIN_PIECE, room // RATIO)
            try:
                out = frame.decompress(view[at: at + step])
            except zstandard.ZstdError:
                raise Refused("damaged") from None
            at += step
            self.data += out
            if len(self.data) > self.limit:
                raise Refused("too_large")
            if frame.eof and frame.unused_data:
                raise Refused("damaged")

    def finish(self) -> bytearray:
        """The tar; ``Refused("damaged")`` for a frame cut short or holding
        other than it states."""
        if self._compressed:
            if self._frame is None:  # a frame shorter than a whole header
                self._open_frame(bytes(self._header))
                self._feed(memoryview(bytes(self._header)))
            assert self._frame is not None
            if not self._frame.eof:
                raise Refused("damaged")
            if self._stated >= 0 and self._stated != len(self.data):
                raise Refused("damaged")
        return self.data


def inflate(plain: bytes | bytearray, limit: int) -> bytes | bytearray:
    """The tar in a whole decrypted plaintext: ``plain`` itself when it is a
    bare tar, else what its one frame holds (bounded as ``Plain``)."""
    head = bytes(plain[:len(MAGIC)])
    if head != MAGIC and not _skippable(head):
        return plain
    sink = Plain(limit)
    sink.write(plain)
    return sink.finish()
